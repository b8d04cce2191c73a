namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>How a raw connection ended: whether the broker closed it, the bytes it sent first, and how.</summary>
public sealed record CloseResult(bool Closed, byte[] Received, string How);
