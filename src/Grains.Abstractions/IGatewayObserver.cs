namespace MqttCluster.Grains;

/// <summary>
/// A gateway (co-hosted in a silo or a standalone Orleans client) as grains see it: topic grains hand it messages
/// for topics matching its routes; session grains ask it to give up a connection when the client id connects
/// elsewhere.
/// </summary>
[Alias("mqtt.IGatewayObserver")]
public interface IGatewayObserver : IGrainObserver
{
    /// <summary>
    /// Hands the gateway messages to fan out to its local subscribers. It only queues them, so it answers at once,
    /// or, when a subscriber cannot take more yet, once it can (at most Mqtt:PushBackGiveUpAfter, 1 s by default,
    /// later); an answer that takes longer was lost on the way, and the sender tries again with the same
    /// <paramref name="batch"/> (which the gateway takes once) well before Orleans' general response timeout.
    /// </summary>
    /// <remarks>Interleaves: an Orleans client would otherwise run its observer's calls one at a time, and one
    /// delivery waiting for a subscriber would hold back every other topic's. Each topic grain has at most one batch
    /// on its way to a gateway at a time, so a topic's order does not depend on this.</remarks>
    [Alias("Deliver"), Orleans.Concurrency.AlwaysInterleave]
    [ResponseTimeout("00:00:03")]
    Task DeliverAsync([Immutable] GatewayDelivery[] deliveries, DeliveryBatch batch);

    /// <summary>
    /// Closes the connection of <paramref name="clientId"/> that holds session epoch <paramref name="epoch"/>
    /// (v5 reason 0x8E) and returns its unfinished session state, or null when no such connection is here. The
    /// PUBLISH packets that connection had already read take effect first (within
    /// <see cref="SessionTakeoverBudget.InboundForwardingWait"/>), so the new connection comes after them.
    /// </summary>
    /// <remarks>Interleaves with deliveries: a delivery may be waiting for the very session grain that waits for
    /// this answer.</remarks>
    [Alias("TakeOver"), Orleans.Concurrency.AlwaysInterleave]
    Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch);

    /// <summary>
    /// Messages of the session that the connection holding <paramref name="epoch"/> must still get: they were meant
    /// for it or an earlier connection of the client and a delivery failed (its gateway stopped, the client moved, or
    /// the delivery's answer was lost). Skipped when this gateway took <paramref name="batch"/>, the failed delivery,
    /// after all. False when no such connection is here; the session then keeps them.
    /// </summary>
    /// <remarks>Interleaves with deliveries, as <see cref="TakeOverAsync"/> does, for the same reason.</remarks>
    [Alias("DeliverRescued"), Orleans.Concurrency.AlwaysInterleave]
    Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch);
}
