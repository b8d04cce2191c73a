namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker that announces no inbound topic aliases (Mqtt:TopicAliasMaximum=0).</summary>
public sealed class NoTopicAliasesBrokerFixture : BrokerFixture
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Mqtt:TopicAliasMaximum"] = "0";
}
