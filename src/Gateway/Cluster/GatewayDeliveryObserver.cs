using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>Receives deliveries from topic grains and fans them out to this gateway's local sessions.</summary>
public sealed class GatewayDeliveryObserver(LocalFanOut fanOut) : IGatewayObserver
{
    public Task DeliverAsync(BrokerMessage[] messages)
    {
        foreach (var message in messages)
        {
            fanOut.Deliver(message);
        }

        return Task.CompletedTask;
    }
}
