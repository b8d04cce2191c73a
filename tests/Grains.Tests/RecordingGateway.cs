using System.Threading.Channels;

namespace MqttCluster.Grains.Tests;

/// <summary>A gateway stand-in that records what topic grains deliver to it.</summary>
public sealed class RecordingGateway : IGatewayObserver
{
    private readonly Channel<BrokerMessage> _received = Channel.CreateUnbounded<BrokerMessage>();

    public int DeliveryCalls { get; private set; }

    public Task DeliverAsync(BrokerMessage[] messages)
    {
        DeliveryCalls++;
        foreach (var message in messages)
        {
            _received.Writer.TryWrite(message);
        }

        return Task.CompletedTask;
    }

    public async Task<BrokerMessage> NextAsync(string awaited)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Timed out waiting for {awaited}.");
        }
    }

    public bool TryTake(out BrokerMessage? message) => _received.Reader.TryRead(out message);
}
