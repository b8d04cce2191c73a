namespace MqttCluster.Grains;

/// <summary>Session limits shared by gateways and session grains. Bound from the <c>Sessions</c> section.</summary>
public sealed class SessionOptions
{
    public const string Section = "Sessions";

    /// <summary>Session expiry for MQTT 3.1.1 clients with clean session = false (Mosquitto's
    /// persistent_client_expiration); MQTT 5 clients choose their own, capped by <see cref="MaxSessionExpiry"/>.</summary>
    public TimeSpan PersistentClientExpiration { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Upper bound of any session's expiry.</summary>
    public TimeSpan MaxSessionExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A requested session expiry interval in seconds, capped by <see cref="MaxSessionExpiry"/>.</summary>
    public uint CapExpiry(uint requestedSeconds) => (uint)Math.Min(requestedSeconds, MaxSessionExpiry.TotalSeconds);

    /// <summary>Messages kept for an offline session (Mosquitto's max_queued_messages); newer ones are dropped
    /// and counted when it is full.</summary>
    public int MaxQueuedMessages { get; set; } = 1000;

    /// <summary>Queue QoS 0 messages for offline sessions too (Mosquitto's queue_qos0_messages).</summary>
    public bool QueueQos0Messages { get; set; }
}
