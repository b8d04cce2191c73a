using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>The gateway as grains call it: deliveries from topic grains, takeovers from session grains.</summary>
public sealed class GatewayDeliveryObserver(LocalFanOut fanOut, DeliveredBatches delivered, ConnectedClients clients, TimeProvider timeProvider) : IGatewayObserver
{
    private long _lastDelivery = timeProvider.GetTimestamp();

    /// <summary>How long ago the last delivery arrived, for a gateway that stops: it answers deliveries still on
    /// their way after it left the route index, until they have stopped coming.</summary>
    public TimeSpan SinceLastDelivery => timeProvider.GetElapsedTime(Volatile.Read(ref _lastDelivery));

    public Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch)
    {
        Volatile.Write(ref _lastDelivery, timeProvider.GetTimestamp());
        if (!delivered.TryTake(batch, out var earlier))
        {
            // A copy (the answer to the first was lost): answered as the first is, once that is done.
            return earlier;
        }

        var waits = new DeliveryWaits();
        foreach (var delivery in deliveries)
        {
            fanOut.Deliver(delivery, ref waits);
        }

        // Answered once hand-offs to session grains are stored, and at the pace of subscribers that cannot take
        // more yet: the topic grain acknowledges the publishers only then (Mqtt:SlowSubscribers = PushBack).
        var done = waits.WhenDone();
        if (!done.IsCompletedSuccessfully)
        {
            delivered.Remember(batch, done);
        }

        return done;
    }

    public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch) => clients.TakeOverAsync(clientId, epoch);

    public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch)
    {
        var connection = clients.Find(clientId, epoch);
        if (connection is null)
        {
            return Task.FromResult(false);
        }

        // The delivery came through after all (only its answer was lost): the connection has these messages.
        return Task.FromResult(batch is { } taken && delivered.WasTaken(taken) || connection.DeliverRescued(messages));
    }
}
