using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using MqttCluster.Telemetry.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace MqttCluster.Telemetry;

/// <summary>
/// OpenTelemetry for a broker host: the broker's meter and spans, Orleans' meter and grain-call spans, .NET
/// runtime metrics, the configured exporters and sampling, and the management port. Tracing costs nothing unless
/// an exporter is configured (or a test adds one): without a tracer provider no span is ever created.
/// </summary>
public static class TelemetryHostExtensions
{
    /// <summary>
    /// Tag combinations kept per metric. OpenTelemetry's default (2 000) preallocates a 144 KB array per metric:
    /// 23 MB of the idle node's 29 MB managed heap for the ~130 metrics a node exports. A node's metrics carry a few
    /// tags each (reason, transport, grain type, GC generation); beyond this limit a metric reports the rest under
    /// OpenTelemetry's overflow tag (otel.metric.overflow) rather than dropping it.
    /// </summary>
    public const int MetricCardinalityLimit = 100;

    public static IHostApplicationBuilder AddBrokerTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(TelemetryOptions.Section);
        var telemetry = ReadTelemetryOptions(builder.Configuration);
        services.AddOptions<TelemetryOptions>().Bind(section);
        services.AddMetrics();
        services.TryAddSingleton<BrokerMetrics>();
        services.TryAddSingleton<HostReadiness>();

        // Console lines in batches: .NET's console logger wakes its writer for every line (docs/benchmarks.md).
        builder.Logging.AddBatchedConsole();

        // Applies to whichever tracer provider the host gets: the one below, or a test's in-memory one.
        services.ConfigureOpenTelemetryTracerProvider(tracing =>
        {
            tracing.AddSource(BrokerTelemetry.Name);
            if (telemetry.TraceGrainCalls)
            {
                tracing.AddSource(BrokerTelemetry.OrleansApplicationSource);
            }

            tracing.SetSampler(new MessageSampler(telemetry.SamplingRatio, telemetry.OnlyTracedMessages));
        });

        var console = telemetry.ExportsTo("console");
        var otlp = telemetry.ExportsTo("otlp");
        var openTelemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName, serviceVersion: typeof(BrokerTelemetry).Assembly.GetName().Version?.ToString(3)));
        if (telemetry.Prometheus || otlp)
        {
            openTelemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(BrokerTelemetry.Name, BrokerTelemetry.OrleansMeter);
                metrics.AddRuntimeInstrumentation();
                metrics.AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit });
                if (telemetry.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter(o => SetEndpoint(o, telemetry));
                }
            });
        }

        if (console || otlp)
        {
            openTelemetry.WithTracing(tracing =>
            {
                if (console)
                {
                    tracing.AddConsoleExporter();
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter(o => SetEndpoint(o, telemetry));
                }
            });
        }

        if (otlp)
        {
            builder.Logging.AddOpenTelemetry(logging =>
            {
                // Connection and client ids come as scopes (see the gateway's connection log scope).
                logging.IncludeScopes = true;
                logging.AddOtlpExporter(o => SetEndpoint(o, telemetry));
            });
        }

        return builder;
    }

    public static TelemetryOptions ReadTelemetryOptions(IConfiguration configuration) =>
        configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    /// <summary>The management options as configured, checked.</summary>
    public static ManagementOptions ReadManagementOptions(IConfiguration configuration)
    {
        var management = configuration.GetSection(ManagementOptions.Section).Get<ManagementOptions>() ?? new ManagementOptions();
        if (management.Port is < -1 or > 65535)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(
                ManagementOptions.Section, typeof(ManagementOptions), [$"Management:Port must be -1 (off), 0 (any free port) or 1-65535, not {management.Port}."]);
        }

        return management;
    }

    /// <summary>
    /// The management endpoint to use: none with port -1, and none (with the reason) when the port is the default
    /// and something else already listens there. A broker replacing Mosquitto must not fail to start because 8080
    /// is taken by an unrelated service; a port the operator chose is bound or the start fails with its error.
    /// </summary>
    public static (ManagementOptions Options, ManagementEndpoint Endpoint) PlanManagementPort(IConfiguration configuration)
    {
        var management = ReadManagementOptions(configuration);
        var chosen = configuration[$"{ManagementOptions.Section}:{nameof(ManagementOptions.Port)}"] is not null;
        if (management.Port > 0 && !chosen && !IsFree(management.BindAddress, management.Port))
        {
            return (management, new ManagementEndpoint { Skipped = $"off ({management.BindAddress}:{management.Port} is in use; choose a port with Management:Port)" });
        }

        return (management, new ManagementEndpoint());
    }

    /// <summary>Adds the management listener planned by <see cref="PlanManagementPort"/>; serve it with
    /// <see cref="ManagementEndpoints.UseBrokerManagement"/>.</summary>
    public static WebApplicationBuilder AddManagementPort(this WebApplicationBuilder builder)
    {
        var (management, endpoint) = PlanManagementPort(builder.Configuration);
        builder.Services.AddSingleton(endpoint);
        if (management.Port < 0 || endpoint.Skipped is not null)
        {
            return builder;
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
            KestrelBindAddress.Listen(kestrel, management.BindAddress, management.Port, listen => endpoint.Listener = listen));
        return builder;
    }

    private static bool IsFree(string bindAddress, int port)
    {
        var address = KestrelBindAddress.Resolve(bindAddress);
        try
        {
            var probe = new System.Net.Sockets.TcpListener(address, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static void SetEndpoint(OpenTelemetry.Exporter.OtlpExporterOptions options, TelemetryOptions telemetry)
    {
        if (telemetry.OtlpEndpoint is { Length: > 0 } endpoint)
        {
            options.Endpoint = new Uri(endpoint);
        }
    }
}
