using MQTTnet;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// A change in a <see cref="FailoverClient"/>'s connection: when, what, the reason the broker gave for a
/// disconnection, and for a connection that resumed a persistent session whether the broker still had it.
/// </summary>
public sealed record ConnectionEvent(TimeSpan At, string What, MqttClientDisconnectReason? DisconnectReason, bool? ResumedSessionPresent)
{
    public override string ToString() => $"{At.TotalSeconds:0.00} s {What}";
}
