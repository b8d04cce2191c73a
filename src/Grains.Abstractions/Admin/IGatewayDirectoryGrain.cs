namespace MqttCluster.Grains;

/// <summary>
/// Every gateway of the cluster, as the admin plane reaches them: gateways register an
/// <see cref="IGatewayAdminObserver"/> and refresh it every few seconds; a question about connected clients is
/// asked of all of them at once and the answers merged. One activation, key <see cref="Key"/>.
/// </summary>
[Alias("mqtt.IGatewayDirectoryGrain")]
public interface IGatewayDirectoryGrain : IGrainWithIntegerKey
{
    public const long Key = 0;

    /// <summary>Registers (or refreshes) a gateway; one that stops refreshing is dropped.</summary>
    [Alias("Register")]
    Task RegisterAsync(IGatewayAdminObserver gateway);

    [Alias("Unregister")]
    Task UnregisterAsync(IGatewayAdminObserver gateway);

    /// <summary>The connections of every gateway that match <paramref name="query"/>, ordered by client id, one page.</summary>
    [Alias("ListClients")]
    Task<ConnectionPage> ListClientsAsync(ConnectionQuery query);

    /// <summary>Closes the connection of <paramref name="clientId"/> on whichever gateway holds it, once it is gone
    /// from that gateway; returns how many connections were closed (0: not connected anywhere).</summary>
    [Alias("DisconnectClient")]
    Task<int> DisconnectClientAsync(string clientId, string actor);
}
