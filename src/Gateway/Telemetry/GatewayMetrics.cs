using Microsoft.Extensions.Hosting;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Subscriptions;

namespace MqttCluster.Gateway.Telemetry;

/// <summary>The gateway's gauges: connected clients, local subscriptions, in-flight and queued messages.</summary>
internal sealed class GatewayMetrics(BrokerMetrics metrics, ConnectedClients clients, LocalSubscriptions subscriptions) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var meter = metrics.Meter;
        meter.CreateObservableGauge(BrokerInstrumentNames.ConnectionsActive, () => clients.Count, "{connection}", "Clients connected to this gateway");
        meter.CreateObservableGauge(BrokerInstrumentNames.Subscriptions, () => subscriptions.Count, "{subscription}", "Subscriptions of the clients connected to this gateway");
        meter.CreateObservableGauge(BrokerInstrumentNames.Inflight, () => clients.Snapshot().Sum(c => (long)c.InflightCount), "{message}", "QoS 1/2 messages sent to clients and not yet acknowledged");
        meter.CreateObservableGauge(BrokerInstrumentNames.SendQueueDepth, () => clients.Snapshot().Sum(c => (long)c.QueuedCount), "{message}", "Messages waiting for a client's in-flight window or socket");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
