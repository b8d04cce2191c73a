namespace MqttCluster.Gateway.Transport;

/// <summary>Where an MQTT 5 property list stands: each property identifier belongs to some of these (2.2.2.2).</summary>
[Flags]
internal enum PropertyContext
{
    None = 0,
    Connect = 1,
    Will = 2,
    Publish = 4,
    Acknowledgement = 8,
    Subscribe = 16,
    Unsubscribe = 32,
    Disconnect = 64,
    Auth = 128,
}
