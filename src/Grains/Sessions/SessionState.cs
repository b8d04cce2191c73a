namespace MqttCluster.Grains.Sessions;

/// <summary>
/// The stored part of a persistent session. Written only for sessions that outlive their connection (expiry > 0),
/// so clean sessions cost no storage writes.
/// </summary>
[GenerateSerializer, Alias("mqtt.SessionState")]
public sealed class SessionState
{
    /// <summary>True once the session is persistent (stored and listed in the session registry).</summary>
    [Id(0)] public bool Persistent { get; set; }

    [Id(1)] public uint SessionExpiryInterval { get; set; }

    [Id(2)] public Dictionary<string, SessionSubscription> Subscriptions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Queued while offline (plus what was waiting behind the last connection's window), oldest first.</summary>
    [Id(3)] public List<OutboundMessage> Queue { get; set; } = [];

    /// <summary>Sent to the last connection and not acknowledged.</summary>
    [Id(4)] public List<OutboundMessage> Inflight { get; set; } = [];

    [Id(5)] public List<ushort> InboundQos2 { get; set; } = [];

    [Id(6)] public long? DisconnectedAtUnixMilliseconds { get; set; }

    [Id(7)] public BrokerMessage? Will { get; set; }

    [Id(8)] public uint WillDelayInterval { get; set; }

    [Id(9)] public uint WillMessageExpiryInterval { get; set; }

    /// <summary>Set while a will waits for its delay after the connection was lost.</summary>
    [Id(10)] public long? WillDueAtUnixMilliseconds { get; set; }

    [Id(11)] public long DroppedMessages { get; set; }

    /// <summary>Whether the route index holds this session's offline routes.</summary>
    [Id(12)] public bool OfflineRoutesRegistered { get; set; }

    /// <summary>
    /// The gateway and connection epoch holding the session while it is online. Stored, so that a grain activated
    /// again after its silo restarted knows its client is still connected there, instead of queueing beside it.
    /// </summary>
    [Id(13)] public string? OwnerGatewayId { get; set; }

    [Id(14)] public long OwnerEpoch { get; set; }

    /// <summary>
    /// What the last resume gave the owning connection, kept until that connection hands back: a connection that
    /// never hands back (its gateway died, or did not answer a takeover) gets the same restored, also after the
    /// grain was re-activated. Written with the resume, so it costs no write of its own.
    /// </summary>
    [Id(15)] public SessionResume? HandedOut { get; set; }

    public long? ExpiresAtUnixMilliseconds => DisconnectedAtUnixMilliseconds is { } at ? at + (SessionExpiryInterval * 1000L) : null;
}
