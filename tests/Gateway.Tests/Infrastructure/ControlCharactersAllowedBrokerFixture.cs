namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker started with Mqtt:AllowControlCharacters=true.</summary>
public sealed class ControlCharactersAllowedBrokerFixture : BrokerFixture
{
    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Mqtt:AllowControlCharacters"] = "true";
}
