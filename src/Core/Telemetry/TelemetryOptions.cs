namespace MqttCluster.Core.Telemetry;

/// <summary>What a host exports and how it samples (section <c>Telemetry</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Where spans (and, for <c>otlp</c>, metrics and logs) go: <c>none</c>, <c>console</c>, <c>otlp</c>,
    /// or both as <c>console,otlp</c>.</summary>
    public string Exporter { get; set; } = "none";

    /// <summary>The OTLP endpoint (gRPC, e.g. http://127.0.0.1:4317); the exporter's default when unset.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Share of messages that start a trace of their own, 0 to 1. A message that arrives with a sampled
    /// <c>traceparent</c> is always traced, one with an unsampled one never.</summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>Trace only messages whose publisher sent a <c>traceparent</c>: the publisher decides.</summary>
    public bool OnlyTracedMessages { get; set; }

    /// <summary>Above this many local subscribers of one message, a gateway records one delivery span with the
    /// count instead of a span per subscriber.</summary>
    public int MaxSendSpansPerMessage { get; set; } = 100;

    /// <summary>Include Orleans' grain-call spans (source <c>Microsoft.Orleans.Application</c>) in traces.</summary>
    public bool TraceGrainCalls { get; set; } = true;

    /// <summary>Serve <c>/metrics</c> for Prometheus on the management port.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>Seconds between <c>$SYS</c> updates; 0 turns <c>$SYS</c> off (Mosquitto's <c>sys_interval</c>).</summary>
    public int SysInterval { get; set; } = 10;

    /// <summary>This node's name in <c>$SYS/broker/nodes/{node}</c> and on the status page; unset = host name and
    /// MQTT port (stable across restarts, so a restarted node updates its own retained values).</summary>
    public string? NodeName { get; set; }

    /// <summary>Orleans' grain-call spans cost a filter on every call: only when traces are exported.</summary>
    public bool PropagatesGrainCalls => TraceGrainCalls && (ExportsTo("console") || ExportsTo("otlp"));

    public bool ExportsTo(string exporter) =>
        Exporter.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Contains(exporter, StringComparer.OrdinalIgnoreCase);
}
