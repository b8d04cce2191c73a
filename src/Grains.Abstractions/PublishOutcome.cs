namespace MqttCluster.Grains;

/// <summary>What a topic grain did with accepted messages: whether any destination (a gateway with matching
/// subscribers, an offline session, a shared group, a bridge) matched their topic. MQTT 5 tells the publisher
/// with reason code 0x10 in PUBACK/PUBREC [MQTT-3.4.2.1].</summary>
[GenerateSerializer]
public enum PublishOutcome
{
    MatchedSubscribers = 0,
    NoMatchingSubscribers = 1,
}
