namespace MqttCluster.Grains;

/// <summary>
/// The single authority for one client id across the cluster: which connection owns it (taking it over from the
/// previous one, wherever that is), its subscriptions, offline queue, unfinished QoS state, will and expiry.
/// </summary>
[Alias("mqtt.ISessionGrain")]
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>
    /// A CONNECT: takes the session over from its current connection (waiting for that one's hand-back at most
    /// <c>DeliveryBudget.RescueBound</c>) and starts a new epoch. The timeout outlasts that wait (a test checks it):
    /// a standalone gateway's default of 5 s did not, and its retry was then taken for a takeover of itself.
    /// </summary>
    [Alias("Connect"), ResponseTimeout("00:00:15")]
    Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request);

    /// <summary>Called once the connection's routes are in place: stops offline queueing and hands over what
    /// the new connection must send first.</summary>
    [Alias("Resume")]
    Task<SessionResume> ResumeAsync(long epoch);

    /// <summary>Keeps a persistent session's subscriptions in step with SUBSCRIBE / UNSUBSCRIBE.</summary>
    [Alias("UpdateSubscriptions")]
    Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed);

    /// <summary>
    /// First step of a persistent session's disconnect: the session starts queueing (its offline routes are in
    /// place) before the connection stops taking messages, so nothing falls between the two; what reaches both is
    /// de-duplicated by message id when the connection hands over.
    /// </summary>
    [Alias("GoingOffline")]
    Task GoingOfflineAsync(long epoch);

    [Alias("Disconnect")]
    Task DisconnectAsync(long epoch, SessionHandoff handoff);

    /// <summary>The gateway holding connection <paramref name="epoch"/> was declared dead: the connection is
    /// gone without DISCONNECT (the will applies), and whatever it had in flight is lost with it.</summary>
    [Alias("OwnerLost")]
    Task OwnerLostAsync(long epoch);

    /// <summary>From topic grains, while the session is offline: queue what matches its subscriptions.</summary>
    [Alias("Enqueue")]
    Task EnqueueAsync([Immutable] BrokerMessage[] messages);

    /// <summary>
    /// Messages for connection <paramref name="epoch"/> that never reached it: from the sessions registry of a
    /// gateway that a topic grain could not deliver to, or from a gateway the connection had just left. What matches
    /// the session's subscriptions (QoS 1/2) goes to the newer connection that resumed the session since, or is kept
    /// for the next resume, so neither a gateway's death nor a client's move loses messages acknowledged to their
    /// publishers.
    /// </summary>
    /// <param name="batch">The failed gateway delivery they came from, if any: when that gateway still holds the
    /// session's connection and did take the delivery (only its answer was lost), nothing is sent again.</param>
    [Alias("Rescue")]
    Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch);

    /// <summary>Timer callback of a session re-activated while online: the connection <paramref name="epoch"/> is
    /// treated as lost unless its gateway is still registered.</summary>
    [Alias("ConfirmOwner")]
    Task ConfirmOwnerAsync(long epoch);

    /// <summary>
    /// From the session's registry partition when its will delay or expiry is due (or, after a restart, when it was
    /// owned by a connection): publishes a due will, ends an expired session, and otherwise puts its offline routes and
    /// registry entry in step. Idempotent.
    /// </summary>
    [Alias("CheckTimers")]
    Task CheckTimersAsync();
}
