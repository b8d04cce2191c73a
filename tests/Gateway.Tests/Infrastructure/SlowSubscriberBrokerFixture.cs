namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A broker whose subscribers queue only <see cref="MaxQueuedMessages"/> QoS 1 messages behind their in-flight
/// window, so a fast publisher outruns a subscriber within a test; Mqtt:SlowSubscribers as the subclass says.
/// </summary>
public abstract class SlowSubscriberBrokerFixture(SlowSubscriberPolicy policy) : BrokerFixture
{
    public const int MaxQueuedMessages = 20;
    public const int MaxInflightMessages = 5;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Sessions:MaxQueuedMessages"] = $"{MaxQueuedMessages}";
        settings["Mqtt:MaxInflightMessages"] = $"{MaxInflightMessages}";
        settings["Mqtt:SlowSubscribers"] = policy.ToString();
    }
}

/// <summary>The default policy: publishers are acknowledged at their subscribers' pace.</summary>
public sealed class PushBackBrokerFixture() : SlowSubscriberBrokerFixture(SlowSubscriberPolicy.PushBack);

/// <summary>Mosquitto's policy: a full queue drops.</summary>
public sealed class DropBrokerFixture() : SlowSubscriberBrokerFixture(SlowSubscriberPolicy.Drop);
