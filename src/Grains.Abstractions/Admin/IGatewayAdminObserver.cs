namespace MqttCluster.Grains;

/// <summary>A gateway as the admin plane asks it about its own connections.</summary>
[Alias("mqtt.IGatewayAdminObserver")]
public interface IGatewayAdminObserver : IGrainObserver
{
    /// <summary>This gateway's connections that match <paramref name="query"/> (its filters; paging is the caller's).</summary>
    [Alias("ListConnections")]
    Task<ConnectionSummary[]> ListConnectionsAsync(ConnectionQuery query);

    /// <summary>Closes this gateway's connections of <paramref name="clientId"/> and answers once they are closed;
    /// returns how many it closed. A connection already closing is not counted again.</summary>
    [Alias("Disconnect")]
    Task<int> DisconnectAsync(string clientId);
}
