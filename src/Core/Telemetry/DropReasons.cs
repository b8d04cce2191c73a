namespace MqttCluster.Core.Telemetry;

/// <summary>Why the broker discarded a message, as the <c>reason</c> of <see cref="BrokerInstrumentNames.MessagesDropped"/>.</summary>
public static class DropReasons
{
    /// <summary>A connected subscriber did not keep up: its send queue or in-flight window overflowed.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>An offline persistent session's queue was full.</summary>
    public const string OfflineQueueFull = "offline_queue_full";

    /// <summary>The MQTT 5 message expiry interval passed before delivery.</summary>
    public const string Expired = "expired";

    /// <summary>Larger than the subscriber's maximum packet size.</summary>
    public const string TooLarge = "too_large";

    /// <summary>The ACL denies the publisher to publish, or the subscriber to receive, on the topic.</summary>
    public const string NotAuthorized = "not_authorized";

    /// <summary>A session's unacknowledged messages could not be handed back to its session grain when its connection
    /// ended, after the call was retried for several seconds (the cluster was unreachable).</summary>
    public const string HandOffFailed = "handoff_failed";

    /// <summary>A topic grain's queue towards a destination overflowed.</summary>
    public const string OutboxOverflow = "outbox_overflow";

    /// <summary>A shared subscription group lost its last member while messages for it were on their way.</summary>
    public const string NoSharedMember = "no_shared_member";

    /// <summary>A bridge's store-and-forward queue was full (its <c>MaxQueuedMessages</c>) while the remote could not take messages.</summary>
    public const string BridgeQueueFull = "bridge_queue_full";

    /// <summary>A QoS 0 message for a bridge whose remote was not connected (QoS 0 is not kept, as in Mosquitto).</summary>
    public const string BridgeOffline = "bridge_offline";

    /// <summary>A bridge's remote answered a message with an error reason code (MQTT 5), so it was not sent again.</summary>
    public const string BridgeRefused = "bridge_refused";
}
