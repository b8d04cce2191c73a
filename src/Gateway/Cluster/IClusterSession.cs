using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// The cluster's authority for one client id, as a connection sees it: it decides who owns the session (taking it
/// over from an earlier connection anywhere in the cluster), keeps a persistent session's subscriptions and queue,
/// and takes back what a connection leaves unfinished. Every call names the connection's session epoch; a call of
/// an epoch that is over changes nothing.
/// </summary>
public interface IClusterSession
{
    /// <summary>CONNECT: the new epoch, whether a session was present and its subscriptions.</summary>
    Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request);

    /// <summary>Once the connection's routes are in place: what it must send first (stored and unfinished messages).</summary>
    Task<SessionResume> ResumeAsync(long epoch);

    /// <summary>A persistent session's subscriptions after SUBSCRIBE / UNSUBSCRIBE.</summary>
    Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed);

    /// <summary>A persistent session starts queueing before its connection stops taking messages.</summary>
    Task GoingOfflineAsync(long epoch);

    /// <summary>The connection ended: what it had not finished, and how it ended (will or not).</summary>
    Task DisconnectAsync(long epoch, SessionHandoff handoff);

    /// <summary>A QoS 1/2 message that reached the connection after it left: for the session's next connection.</summary>
    Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch);
}
