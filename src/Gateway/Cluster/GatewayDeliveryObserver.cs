using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>The gateway as grains call it: deliveries from topic grains, takeovers from session grains.</summary>
public sealed class GatewayDeliveryObserver(LocalFanOut fanOut, ConnectedClients clients) : IGatewayObserver
{
    public Task DeliverAsync(GatewayDelivery[] deliveries)
    {
        foreach (var delivery in deliveries)
        {
            fanOut.Deliver(delivery);
        }

        return Task.CompletedTask;
    }

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch) =>
        Task.FromResult(clients.TakeOver(clientId, epoch));
}
