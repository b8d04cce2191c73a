namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker that takes two clients at most.</summary>
public sealed class MaxConnectionsBrokerFixture : BrokerFixture
{
    public const int MaxConnections = 2;

    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Mqtt:MaxConnections"] = $"{MaxConnections}";
}
