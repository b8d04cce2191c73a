using System.Text.Json;
using System.Text.Json.Serialization;

namespace MqttCluster.LoadGenerator;

/// <summary>The outcome of a run; <see cref="ToJson"/> is the machine-readable line bench/compare.sh reads.</summary>
public sealed record LoadReport
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public required string Label { get; init; }

    public required LoadShape Shape { get; init; }

    public required string Transport { get; init; }

    public required string Mqtt { get; init; }

    public required int Qos { get; init; }

    public required int Publishers { get; init; }

    public required int Subscribers { get; init; }

    public required int PayloadBytes { get; init; }

    public required int BackgroundSubscriptions { get; init; }

    /// <summary>Target messages/s (0 = as fast as possible).</summary>
    public required double RateTarget { get; init; }

    /// <summary>Deliveries allowed on their way when publishing as fast as possible (0 = no limit).</summary>
    public required long MaxBacklog { get; init; }

    /// <summary>Seconds the rates and CPU figures are over (the window after the warm-up).</summary>
    public required double MeasuredSeconds { get; init; }

    /// <summary>Connections opened (idle shape: all of them; otherwise publishers + subscribers + background).</summary>
    public required int Connections { get; init; }

    public required double ConnectSeconds { get; init; }

    /// <summary>Messages the broker took (written at QoS 0, acknowledged at QoS 1/2), whole run.</summary>
    public required long Sent { get; init; }

    /// <summary>Publications refused or not acknowledged in time.</summary>
    public required long Failed { get; init; }

    /// <summary>Deliveries due for the messages sent (sent x subscribers per message).</summary>
    public required long Expected { get; init; }

    public required long Received { get; init; }

    /// <summary>Deliveries whose sequence number was not above the last seen from that publisher (duplicates).</summary>
    public required long Repeated { get; init; }

    /// <summary>Expected deliveries that never came (QoS 0 may lose; QoS 1 and 2 must not).</summary>
    public required long Lost { get; init; }

    /// <summary>False when loss or duplicates break what the QoS promises (QoS 1: no loss; QoS 2: neither).</summary>
    public required bool QosKept { get; init; }

    public required double SentPerSecond { get; init; }

    public required double DeliveredPerSecond { get; init; }

    public required long LatencyP50Us { get; init; }

    public required long LatencyP99Us { get; init; }

    public required long LatencyMaxUs { get; init; }

    public required int Cores { get; init; }

    /// <summary>CPU of this generator over the window, in cores (1.0 = one core busy all the time).</summary>
    public required double GeneratorCpuCores { get; init; }

    /// <summary>CPU of the --broker-pid processes over the window, in cores (0 when none was given).</summary>
    public required double BrokerCpuCores { get; init; }

    /// <summary>Broker CPU µs per message delivered in the window (0 when no --broker-pid): the headline figure.</summary>
    public required double BrokerCpuUsPerMessage { get; init; }

    /// <summary>This generator's CPU µs per message delivered in the window.</summary>
    public required double GeneratorCpuUsPerMessage { get; init; }

    /// <summary>Context switches of the --broker-pid processes per message delivered in the window (0 when none).</summary>
    public double BrokerContextSwitchesPerMessage { get; init; }

    /// <summary>
    /// False when the generator spent more CPU per delivered message than the broker: then the run measured the
    /// generator, and its figures must not be compared.
    /// </summary>
    public bool GeneratorCheaperThanBroker => BrokerCpuUsPerMessage <= 0 || GeneratorCpuUsPerMessage < BrokerCpuUsPerMessage;

    /// <summary>Connections opened per second while connecting (all clients of the run).</summary>
    public required double ConnectsPerSecond { get; init; }

    /// <summary>99th percentile of one connection's time from TCP connect to CONNACK, µs.</summary>
    public required long ConnectP99Us { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    /// <summary>Idle shape: CPU of this generator while connecting, in cores (its own cost of the connect rate).</summary>
    public double GeneratorConnectCpuCores { get; init; }

    /// <summary>Idle shape: CPU of the --broker-pid processes while connecting, in cores.</summary>
    public double BrokerConnectCpuCores { get; init; }

    /// <summary>Idle shape with --broker-pid: the broker's RSS before, with and after the connections.</summary>
    public IdleMemory? Memory { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public string ToText()
    {
        var load = Shape == LoadShape.Idle
            ? $"idle connections, mqtt {Mqtt} over {Transport}"
            : $"{Shape.ToString().ToLowerInvariant()} {Publishers}->{Subscribers} qos {Qos} mqtt {Mqtt} over {Transport}, payload {PayloadBytes} B" +
                (RateTarget > 0 ? $", open loop at {RateTarget:0} msg/s" : MaxBacklog > 0 ? $", CLOSED LOOP: as fast as possible with at most {MaxBacklog} on their way" : ", open loop, as fast as possible") +
                (BackgroundSubscriptions > 0 ? $", {BackgroundSubscriptions} background subscriptions" : "");
        var lines = new List<string> { $"{Label}: {load}", $"  connections   {Connections} in {ConnectSeconds:0.00} s ({ConnectsPerSecond:0}/s, p99 {ConnectP99Us} us each)" };
        if (Shape == LoadShape.Idle)
        {
            lines.Add($"  connecting    generator {GeneratorConnectCpuCores:0.00} of {Cores} cores" + (BrokerConnectCpuCores > 0 ? $", broker {BrokerConnectCpuCores:0.00} cores" : ""));
        }

        if (Memory is { } m)
        {
            lines.Add($"  broker rss    idle {m.IdleRssKb / 1024.0:0.0} MB, with connections {m.RssKb / 1024.0:0.0} MB ({m.BytesPerConnection} B each)" +
                (m.RssAfterClose10sKb > 0 ? $", {m.RssAfterClose10sKb / 1024.0:0.0} MB 10 s after close" : "") +
                (m.AfterCloseSeconds > 0 ? $", {m.RssAfterCloseKb / 1024.0:0.0} MB {m.AfterCloseSeconds:0} s after close" : "") +
                (m.SecondsBackWithin20Percent is { } back ? $" (within 20 % of idle after {back:0} s)" : ""));
        }
        if (Shape != LoadShape.Idle)
        {
            lines.Add($"  delivered     {DeliveredPerSecond:0} msg/s (sent {SentPerSecond:0} msg/s) over {MeasuredSeconds:0.0} s");
            lines.Add($"  messages      sent {Sent}, failed {Failed}, expected {Expected}, received {Received}, lost {Lost}, repeated {Repeated}" +
                (QosKept ? "" : "  << QoS promise broken"));
            lines.Add($"  latency       p50 {LatencyP50Us} us, p99 {LatencyP99Us} us, max {LatencyMaxUs} us");
        }

        lines.Add($"  cpu           generator {GeneratorCpuCores:0.00} of {Cores} cores" +
            (BrokerCpuCores > 0 ? $", broker {BrokerCpuCores:0.00} cores" : ""));
        if (Shape != LoadShape.Idle)
        {
            lines.Add($"  cpu/message   broker {BrokerCpuUsPerMessage:0.0} us, generator {GeneratorCpuUsPerMessage:0.0} us per delivered message" +
                (GeneratorCheaperThanBroker ? "" : "  << INVALID: the generator cost more than the broker"));
            if (BrokerContextSwitchesPerMessage > 0)
            {
                lines.Add($"  switches      broker {BrokerContextSwitchesPerMessage:0.00} context switches per delivered message");
            }
        }

        lines.AddRange(Warnings.Select(w => $"  warning: {w}"));
        return string.Join('\n', lines);
    }

    /// <summary>
    /// The report of the idle shape: connections, connect rate and the CPU while connecting (from
    /// <paramref name="connecting"/> to <paramref name="connected"/>) and while idle (to <paramref name="held"/>).
    /// </summary>
    public static LoadReport ForIdle(LoadOptions options, CpuSample connecting, CpuSample connected, CpuSample held, LatencyHistogram connectTimes)
    {
        var connectSeconds = Math.Max(connected.SecondsSince(connecting), 1e-6);
        var idleSeconds = Math.Max(held.SecondsSince(connected), 1e-6);
        return new()
        {
            Label = options.Label,
            Shape = LoadShape.Idle,
            Transport = options.Transport == BrokerTransport.Tcp ? "tcp" : "websocket",
            Mqtt = options.ProtocolVersion == 5 ? "5" : "3.1.1",
            Qos = 0,
            Publishers = 0,
            Subscribers = 0,
            PayloadBytes = 0,
            BackgroundSubscriptions = 0,
            MaxBacklog = 0,
            RateTarget = 0,
            MeasuredSeconds = idleSeconds,
            Connections = options.SubscriberCount,
            ConnectSeconds = connectSeconds,
            ConnectsPerSecond = options.SubscriberCount / connectSeconds,
            ConnectP99Us = connectTimes.Percentile(99),
            Sent = 0,
            Failed = 0,
            Expected = 0,
            Received = 0,
            Repeated = 0,
            Lost = 0,
            QosKept = true,
            SentPerSecond = 0,
            DeliveredPerSecond = 0,
            LatencyP50Us = 0,
            LatencyP99Us = 0,
            LatencyMaxUs = 0,
            Cores = Environment.ProcessorCount,
            GeneratorCpuCores = (held.Generator - connected.Generator).TotalSeconds / idleSeconds,
            BrokerCpuCores = (held.Broker - connected.Broker).TotalSeconds / idleSeconds,
            GeneratorConnectCpuCores = (connected.Generator - connecting.Generator).TotalSeconds / connectSeconds,
            BrokerConnectCpuCores = (connected.Broker - connecting.Broker).TotalSeconds / connectSeconds,
            BrokerCpuUsPerMessage = 0,
            GeneratorCpuUsPerMessage = 0,
            Warnings = [],
        };
    }
}
