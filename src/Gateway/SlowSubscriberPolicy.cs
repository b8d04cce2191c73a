namespace MqttCluster.Gateway;

/// <summary>Mqtt:SlowSubscribers: what a subscriber slower than its publishers costs, and whom.</summary>
public enum SlowSubscriberPolicy
{
    /// <summary>Its publishers are acknowledged at its pace (nothing is dropped while it keeps acknowledging).</summary>
    PushBack,

    /// <summary>Its queue fills up to Sessions:MaxQueuedMessages and further messages are dropped (counted).</summary>
    Drop,
}
