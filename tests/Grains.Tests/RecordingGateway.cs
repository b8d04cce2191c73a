using System.Threading.Channels;

namespace MqttCluster.Grains.Tests;

/// <summary>A gateway stand-in that records what topic grains deliver to it.</summary>
public sealed class RecordingGateway : IGatewayObserver
{
    private readonly Channel<BrokerMessage> _received = Channel.CreateUnbounded<BrokerMessage>();

    public int DeliveryCalls { get; private set; }

    public Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch)
    {
        DeliveryCalls++;
        foreach (var delivery in deliveries)
        {
            _received.Writer.TryWrite(delivery.Message);
            foreach (var group in delivery.SharedGroups ?? [])
            {
                SharedDeliveries.Writer.TryWrite((group, delivery.Message));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Messages this gateway was chosen for as a member of a shared group.</summary>
    public Channel<(string Group, BrokerMessage Message)> SharedDeliveries { get; } = Channel.CreateUnbounded<(string, BrokerMessage)>();

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch) => Task.FromResult<SessionHandoff?>(null);

    public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch) => Task.FromResult(false);

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
