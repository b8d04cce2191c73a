using System.Diagnostics;

namespace MqttCluster.Gateway.Telemetry;

/// <summary>
/// A traced message on its way to one subscriber: the gateway's delivery span it hangs under and when that
/// began, so the send span covers the time the message waited in this subscriber's queue.
/// </summary>
public sealed record SendSpanParent(ActivityContext Parent, DateTimeOffset DeliveredAt);
