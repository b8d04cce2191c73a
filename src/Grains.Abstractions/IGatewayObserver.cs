namespace MqttCluster.Grains;

/// <summary>
/// A gateway (co-hosted in a silo or a standalone Orleans client) as grains see it: topic grains hand it messages
/// for topics matching its routes; session grains ask it to give up a connection when the client id connects
/// elsewhere.
/// </summary>
[Alias("mqtt.IGatewayObserver")]
public interface IGatewayObserver : IGrainObserver
{
    [Alias("Deliver")]
    Task DeliverAsync(GatewayDelivery[] deliveries);

    /// <summary>
    /// Closes the connection of <paramref name="clientId"/> that holds session epoch <paramref name="epoch"/>
    /// (v5 reason 0x8E) and returns its unfinished session state, or null when no such connection is here.
    /// </summary>
    [Alias("TakeOver")]
    Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch);
}
