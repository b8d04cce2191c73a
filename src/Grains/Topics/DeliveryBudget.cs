namespace MqttCluster.Grains.Topics;

/// <summary>
/// The time a delivery to one destination may take, in one place: each attempt's timeout, the pauses between
/// attempts, and the bound on handing a rescued message to a session's connection. What must outlast a late copy
/// (<see cref="Core.Delivery.RedeliveryHorizon"/>) is checked against it by a test.
/// </summary>
public static class DeliveryBudget
{
    /// <summary>The pauses before each new attempt at a batch: a silo's stop, or membership noticing a dead one,
    /// takes about a second.</summary>
    public static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)];

    /// <summary>One attempt's bound: the <c>[ResponseTimeout]</c> of <see cref="IGatewayObserver.DeliverAsync"/>.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    /// <summary>A session grain's bound on handing rescued messages to its connection, or on a takeover.</summary>
    public static readonly TimeSpan RescueBound = TimeSpan.FromSeconds(5);

    /// <summary>The <c>[ResponseTimeout]</c> of <see cref="ITopicGrain.PublishAsync"/>: how long a gateway waits for
    /// the cluster to accept a PUBLISH before it answers the client with a failure. It must outlast what the topic
    /// grain may still be doing for that PUBLISH (a test checks it): otherwise the client is told "not accepted" for a
    /// message that is then delivered after all, and sends it again.</summary>
    public static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    /// <summary>What one batch may take, from its first attempt until its messages are with the sessions of a gateway
    /// that could not take them: the retries, the registry's wait for the gateway's next refresh when it has just
    /// moved (<see cref="GatewayLiveness.Expiry"/>), and the hand-over to each session's connection.</summary>
    public static TimeSpan BatchSpan => RetrySpan + GatewayLiveness.Expiry + RescueBound;

    /// <summary>The <c>[ResponseTimeout]</c> of <see cref="ISessionGrain.ConnectAsync"/>: a takeover waits up to
    /// <see cref="RescueBound"/> for the old connection's hand-back, then stores the session.</summary>
    public static readonly TimeSpan SessionConnectTimeout = TimeSpan.FromSeconds(15);

    /// <summary>From a batch's first attempt to the end of its last one.</summary>
    public static TimeSpan RetrySpan => (AttemptTimeout * (RetryDelays.Length + 1)) + RetryDelays.Aggregate(TimeSpan.Zero, (sum, delay) => sum + delay);
}
