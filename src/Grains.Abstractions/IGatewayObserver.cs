namespace MqttCluster.Grains;

/// <summary>
/// A gateway (co-hosted in a silo or a standalone Orleans client) as topic grains see it: they hand it the
/// messages for topics that match at least one of its routes; the gateway fans them out to its local sessions.
/// </summary>
[Alias("mqtt.IGatewayObserver")]
public interface IGatewayObserver : IGrainObserver
{
    [Alias("Deliver")]
    Task DeliverAsync(BrokerMessage[] messages);
}
