using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Retained;
using MqttCluster.Grains.Sessions;

namespace MqttCluster.Grains;

/// <summary>Gauges over this silo's grains: retained messages, persistent sessions online (their activations) and
/// offline with their queues (from the session registry partitions: offline sessions are not in memory). Each grain
/// lives in one silo, so the cluster's figure is the sum over silos.</summary>
internal sealed class GrainMetrics(
    BrokerMetrics metrics,
    ActivationGauges<RetainedIndexGrain> retained,
    ActivationGauges<SessionGrain> sessions,
    ActivationGauges<SessionRegistryGrain> registries,
    Bridges.BridgeActivations bridges) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GrainMetrics), ServiceLifecycleStage.RuntimeServices, _ =>
        {
            var meter = metrics.Meter;
            meter.CreateObservableGauge(BrokerInstrumentNames.RetainedMessages, () => retained.Sum(r => r.Count), "{message}", "Retained messages in the index partitions this silo holds");
            meter.CreateObservableGauge(
                BrokerInstrumentNames.Sessions,
                () => new[]
                {
                    new System.Diagnostics.Metrics.Measurement<long>(sessions.Count(s => s.IsPersistent && s.IsOnline), new KeyValuePair<string, object?>(BrokerInstrumentNames.StateAttribute, "online")),
                    new System.Diagnostics.Metrics.Measurement<long>(registries.Sum(r => r.OfflineCount), new KeyValuePair<string, object?>(BrokerInstrumentNames.StateAttribute, "offline")),
                },
                "{session}",
                "Persistent sessions by state: online, whose grains this silo holds; offline, listed in the session registry partitions this silo holds");
            meter.CreateObservableGauge(BrokerInstrumentNames.OfflineQueueDepth, () => registries.Sum(r => r.QueuedCount), "{message}", "Messages queued for offline persistent sessions listed in the session registry partitions this silo holds");
            meter.CreateObservableGauge(BrokerInstrumentNames.BridgeQueueDepth, () => bridges.PerBridge(b => b.Queued), "{message}", "Messages waiting for the remote broker, per bridge running in this silo");
            meter.CreateObservableGauge(BrokerInstrumentNames.BridgeConnected, () => bridges.PerBridge(b => b.Connected ? 1 : 0), "{connection}", "1 when the bridge is connected to its remote broker, per bridge running in this silo");
            meter.CreateObservableCounter(BrokerInstrumentNames.BridgeMessagesSent, () => bridges.PerBridge(b => b.Sent), "{message}", "Messages a bridge sent to its remote broker since it started in this silo");
            meter.CreateObservableCounter(BrokerInstrumentNames.BridgeMessagesReceived, () => bridges.PerBridge(b => b.Received), "{message}", "Messages a bridge received from its remote broker since it started in this silo");
            return Task.CompletedTask;
        });
}
