namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>One QoS 1 publish of a stream: when it was sent, how long its PUBACK took, and whether it was accepted.</summary>
public sealed record PublishOutcome(string Payload, TimeSpan SentAt, TimeSpan Latency, bool Acknowledged, string Outcome)
{
    public override string ToString() => $"#{Payload} ({Outcome} after {Latency.TotalSeconds:0.00} s)";
}
