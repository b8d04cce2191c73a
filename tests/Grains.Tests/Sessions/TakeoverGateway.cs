using System.Collections.Concurrent;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>A gateway stand-in for session grains: records takeovers and hands back what a test says its
/// connection had not finished.</summary>
public sealed class TakeoverGateway : IGatewayObserver
{
    public ConcurrentQueue<(string ClientId, long Epoch)> TakeOvers { get; } = new();

    /// <summary>What the gateway's connection hands back when it is taken over (null: no such connection here).</summary>
    /// <summary>What the connection hands back; by default one that took in its resume and finished everything.</summary>
    public SessionHandoff? Handoff { get; set; } = new() { ResumeApplied = true };

    public Task DeliverAsync(GatewayDelivery[] deliveries) => Task.CompletedTask;

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch)
    {
        TakeOvers.Enqueue((clientId, epoch));
        return Task.FromResult(Handoff);
    }
}
