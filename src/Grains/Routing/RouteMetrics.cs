using MqttCluster.Core.Telemetry;

namespace MqttCluster.Grains.Routing;

/// <summary>Gauges of this silo's route replica: how many routes it holds and the index version it has applied.</summary>
internal sealed class RouteMetrics(RouteIndexReplica replica, BrokerMetrics metrics) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(RouteMetrics), ServiceLifecycleStage.RuntimeServices, _ =>
        {
            metrics.Meter.CreateObservableGauge(BrokerInstrumentNames.Routes, () => replica.FilterCount, "{route}", "Routes (subscription filters per gateway or offline session) in this silo's replica of the route index");
            metrics.Meter.CreateObservableGauge(BrokerInstrumentNames.RouteReplicaVersion, () => replica.Position.Version, "{version}", "Route index version this silo's replica has applied; silos that lag show a lower value");
            return Task.CompletedTask;
        });
}
