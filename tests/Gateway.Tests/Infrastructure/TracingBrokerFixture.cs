using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker that traces every message into <see cref="Collector"/> and records per-subscriber send spans
/// for at most <see cref="MaxSendSpans"/> subscribers of a message.</summary>
public class TracingBrokerFixture : BrokerFixture
{
    public const int MaxSendSpans = 2;

    public SpanCollector Collector { get; } = new();

    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["Telemetry:MaxSendSpansPerMessage"] = MaxSendSpans.ToString(System.Globalization.CultureInfo.InvariantCulture);

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddProcessor(Collector));
}
