using System.Collections.Concurrent;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>A gateway stand-in for session grains: records takeovers and rescued deliveries, and hands back what
/// a test says its connection had not finished.</summary>
public sealed class TakeoverGateway : IGatewayObserver
{
    public ConcurrentQueue<(string ClientId, long Epoch)> TakeOvers { get; } = new();

    /// <summary>What the connection hands back when it is taken over (null: no such connection here); by default one
    /// that took in its resume and finished everything.</summary>
    public SessionHandoff? Handoff { get; set; } = new() { ResumeApplied = true };

    public Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch) => Task.CompletedTask;

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch)
    {
        TakeOvers.Enqueue((clientId, epoch));
        return Task.FromResult(Handoff);
    }

    public ConcurrentQueue<(long Epoch, OutboundMessage Message)> Rescued { get; } = new();

    /// <summary>Whether the connection a rescue is for is here (it takes the messages) or gone.</summary>
    public bool TakesRescued { get; set; } = true;

    /// <summary>The failed deliveries the rescues named.</summary>
    public ConcurrentQueue<DeliveryBatch> RescuedBatches { get; } = new();

    public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch)
    {
        if (batch is { } failed)
        {
            RescuedBatches.Enqueue(failed);
        }

        if (TakesRescued)
        {
            foreach (var message in messages)
            {
                Rescued.Enqueue((epoch, message));
            }
        }

        return Task.FromResult(TakesRescued);
    }
}
