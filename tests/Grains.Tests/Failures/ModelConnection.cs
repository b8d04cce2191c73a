using System.Collections.Concurrent;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>One client's connection on a <see cref="ModelGateway"/>: what its client got, live or rescued, and what
/// its resume handed it.</summary>
public sealed class ModelConnection(string clientId, long epoch, string filter)
{
    public string ClientId { get; } = clientId;

    public long Epoch { get; } = epoch;

    public string Filter { get; } = filter;

    public ConcurrentQueue<BrokerMessage> Received { get; } = new();

    public SessionResume Resumed { get; set; } = new();

    /// <summary>How often the client was given <paramref name="messageId"/> on this connection, resume included.</summary>
    public int Copies(Guid messageId) =>
        Received.Count(m => m.MessageId == messageId) +
        Resumed.Queued.Concat(Resumed.Inflight).Count(m => m.Message.MessageId == messageId);
}
