namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker with per-client limits small enough to hit in a test.</summary>
public sealed class ClientLimitsBrokerFixture : BrokerFixture
{
    public const int MaxSubscriptions = 2;
    public const int MaxTopicLevels = 4;
    public const int MaxPublishRate = 50;
    public static readonly TimeSpan SlowConsumerTimeout = TimeSpan.FromSeconds(2);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Mqtt:MaxSubscriptionsPerClient"] = $"{MaxSubscriptions}";
        settings["Mqtt:MaxTopicLevels"] = $"{MaxTopicLevels}";
        settings["Mqtt:MaxPublishRatePerClient"] = $"{MaxPublishRate}";
        settings["Mqtt:SlowConsumerTimeout"] = SlowConsumerTimeout.ToString();
    }
}
