namespace MqttCluster.Grains.Bridges;

/// <summary>
/// A message waiting for the remote: already mapped to its remote topic, QoS and RETAIN flag, and where it stands
/// in the bridge's client session with the remote. <see cref="PacketId"/> is 0 until its PUBLISH is sent (QoS 1/2),
/// then the packet identifier the remote knows it by; <see cref="Released"/> says a QoS 2 message's PUBREC came and
/// its PUBREL was sent (it now awaits PUBCOMP). Both are stored with the queue, so after a reconnect with the
/// session present the bridge sends PUBLISH again with DUP, or PUBREL, under the same identifier [MQTT-4.4.0-1].
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.BridgeQueuedMessage")]
public sealed record BridgeQueuedMessage(
    [property: Id(0)] string RemoteTopic,
    [property: Id(1)] byte Qos,
    [property: Id(2)] bool Retain,
    [property: Id(3)] BrokerMessage Message,
    [property: Id(4)] ushort PacketId = 0,
    [property: Id(5)] bool Released = false);
