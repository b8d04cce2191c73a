namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A tracing broker that traces only messages whose publisher sent a <c>traceparent</c>.</summary>
public sealed class TracedOnlyBrokerFixture : TracingBrokerFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        settings["Telemetry:OnlyTracedMessages"] = "true";
    }
}
