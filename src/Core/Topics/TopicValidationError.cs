namespace MqttCluster.Core.Topics;

/// <summary>
/// Why a topic name or topic filter was rejected. Shared by <see cref="TopicName"/> and
/// <see cref="TopicFilter"/> so callers map one enum to reason codes / disconnects.
/// </summary>
public enum TopicValidationError
{
    /// <summary>The string is valid.</summary>
    None,

    /// <summary>Zero-length topic or filter [MQTT-4.7.3-1].</summary>
    Empty,

    /// <summary>UTF-8 encoded length above 65535 bytes [MQTT-4.7.3-3].</summary>
    TooLong,

    /// <summary>A topic name contains <c>+</c> or <c>#</c> [MQTT-3.3.2-2].</summary>
    WildcardInTopicName,

    /// <summary>The string contains U+0000 [MQTT-4.7.3-2].</summary>
    NullCharacter,

    /// <summary><c>#</c> not alone as the last level, or <c>+</c> not alone in its level [MQTT-4.7.1-2], [MQTT-4.7.1-3].</summary>
    InvalidWildcardPlacement,

    /// <summary>A malformed <c>$share/{ShareName}/{filter}</c> [MQTT-4.8.2-1], [MQTT-4.8.2-2].</summary>
    InvalidSharedSubscription,
}
