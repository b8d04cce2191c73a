namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Limits small enough that a fast publisher outruns a subscriber within a test: subscribers queue only
/// <see cref="MaxQueuedMessages"/> QoS 1 messages behind an in-flight window of <see cref="MaxInflightMessages"/>.
/// </summary>
public static class SlowSubscriberSettings
{
    public const int MaxQueuedMessages = 20;
    public const int MaxInflightMessages = 5;

    public static void Apply(IDictionary<string, string?> settings, SlowSubscriberPolicy policy)
    {
        settings["Sessions:MaxQueuedMessages"] = $"{MaxQueuedMessages}";
        settings["Mqtt:MaxInflightMessages"] = $"{MaxInflightMessages}";
        settings["Mqtt:SlowSubscribers"] = policy.ToString();
    }
}

/// <summary>
/// The default policy (publishers are acknowledged at their subscribers' pace) on a clock the test moves, so a
/// subscriber counts as stalled exactly when the test says.
/// </summary>
public sealed class PushBackBrokerFixture : FakeClockBrokerFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        SlowSubscriberSettings.Apply(settings, SlowSubscriberPolicy.PushBack);
    }
}

/// <summary>Mosquitto's policy: a full queue drops.</summary>
public sealed class DropBrokerFixture : BrokerFixture
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        SlowSubscriberSettings.Apply(settings, SlowSubscriberPolicy.Drop);
}
