using System.Globalization;

namespace MqttCluster.LoadGenerator;

/// <summary>Parses the generator's command line; <see cref="HelpText"/> documents it.</summary>
public static class LoadCommandLine
{
    public const string HelpText = """
        mqtt-cluster-bench: an MQTT load generator (any MQTT 3.1.1/5 broker: this one, Mosquitto, ...).

        Usage: dotnet mqtt-cluster-bench.dll [options]

        Every message carries a timestamp and a sequence number in its first 16 payload bytes, so the report gives
        delivered messages/s, loss and duplicates (against what the QoS promises) and latency percentiles.
        Clients are raw sockets served by one event loop (packets written in batches), so the generator spends less
        CPU per message than the broker it measures; the report prints both per delivered message.
        Publishers run open loop: each keeps its own in-flight window and nothing else holds it back. At a fixed
        --rate a message's latency counts from when it was due, so a broker that holds publishers back shows it.

        Broker:
          --host HOST              broker address                               (default 127.0.0.1)
          --port N                 MQTT (or WebSocket) port                     (default 1883)
          --publish-port N         publishers connect here instead (e.g. another gateway of a cluster)
          --transport tcp|ws       TCP or WebSocket                             (default tcp)
          --ws-path PATH           WebSocket path                               (default /mqtt)
          --mqtt 3.1.1|5           protocol version                             (default 3.1.1)
        Load:
          --shape SHAPE            pairwise    N publishers, each to its own subscriber on its own topic (default)
                                   fan-in      N publishers -> 1 subscriber of a wildcard filter
                                   fan-out     1 publisher -> N subscribers
                                   shared      N publishers -> M subscribers in one $share group
                                   idle        N connections that only keep alive (memory per connection)
          --publishers N           publishers (pairwise: pairs)                 (default 10)
          --subscribers N          subscribers (fan-out, shared; idle: connections) (default 10)
          --qos 0|1|2              QoS of publications and subscriptions        (default 0)
          --payload BYTES          payload size, at least 16                    (default 64)
          --rate N                 messages/s over all publishers; 0 = as fast as possible (default 0)
          --max-backlog N          closed loop: without --rate, publishers wait while more than N deliveries are
                                   on their way; hides a broker's queueing and drops (default 0 = open loop)
          --inflight N             unacknowledged QoS 1/2 messages per publisher (default 100)
          --write-interval MS      at a fixed rate, each publisher writes what is due this often, in one write
                                   (default 1)
          --duration SECONDS       measured time                                (default 10)
          --warmup SECONDS         published but not measured, before          (default 2)
          --messages N             messages per publisher instead of a duration (no warm-up)
          --drain SECONDS          wait for late messages after publishing      (default 5)
          --small-buffers          subscribers keep 8 KB socket buffers like small devices (default: the kernel's)
          --background-subscriptions N   subscribe N filters that match nothing first (default 0)
          --hold SECONDS           idle: keep the connections this long         (default 10)
          --after-close SECONDS    idle: read the broker's RSS each second this long after closing (needs
                                   --broker-pid; reports it at 10 s and at the end)  (default 0)
          --connect-concurrency N  clients connecting at once; idle over TCP: handshakes in flight from one
                                   epoll loop                                   (default 50)
        Report:
          --broker-pid PID         also report this process's CPU time (repeat for several processes)
          --label NAME             the broker's name in the report              (default broker)
          --json                   one JSON line instead of text
          -h, --help               this text

        Examples:
          dotnet mqtt-cluster-bench.dll --port 1883 --shape fan-in --publishers 50 --qos 1 --duration 10
          dotnet mqtt-cluster-bench.dll --shape pairwise --publishers 10 --rate 20000 --json
          dotnet mqtt-cluster-bench.dll --shape idle --subscribers 18000 --connect-concurrency 100 --hold 10 --after-close 60 --broker-pid 1234
        """;

    public static bool IsHelpRequested(IEnumerable<string> args) => args.Any(a => a is "-h" or "--help" or "-?");

    /// <summary>The options, or an error message for the first argument that is not understood.</summary>
    public static (LoadOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        var pids = new List<int>();
        try
        {
            for (var i = 0; i < args.Count; i++)
            {
                var name = args[i];
                string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value");
                options = name switch
                {
                    "--host" => options with { Host = Value() },
                    "--port" => options with { Port = Int(Value(), 1) },
                    "--publish-port" => options with { PublishPort = Int(Value(), 1) },
                    "--transport" => options with { Transport = ParseTransport(Value()) },
                    "--ws-path" => options with { WebSocketPath = Value() },
                    "--mqtt" => options with { ProtocolVersion = ParseVersion(Value()) },
                    "--shape" => options with { Shape = ParseShape(Value()) },
                    "--publishers" => options with { Publishers = Int(Value(), 1) },
                    "--subscribers" => options with { Subscribers = Int(Value(), 1) },
                    "--qos" => options with { Qos = Int(Value(), 0, 2) },
                    "--payload" => options with { PayloadSize = Int(Value(), PayloadStamp.Size) },
                    "--rate" => options with { Rate = Double(Value()) },
                    "--max-backlog" => options with { MaxBacklog = Int(Value(), 0) },
                    "--inflight" => options with { Inflight = Int(Value(), 1) },
                    "--write-interval" => options with { WriteInterval = TimeSpan.FromMilliseconds(Double(Value())) },
                    "--duration" => options with { Duration = Seconds(Value()) },
                    "--warmup" => options with { Warmup = Seconds(Value()) },
                    "--messages" => options with { MessagesPerPublisher = Int(Value(), 1) },
                    "--drain" => options with { Drain = Seconds(Value()) },
                    "--small-buffers" => options with { SmallSubscriberBuffers = true },
                    "--background-subscriptions" => options with { BackgroundSubscriptions = Int(Value(), 0) },
                    "--hold" => options with { Hold = Seconds(Value()) },
                    "--after-close" => options with { AfterClose = Seconds(Value()) },
                    "--connect-concurrency" => options with { ConnectConcurrency = Int(Value(), 1) },
                    "--broker-pid" => options with { BrokerPids = [.. pids.Append(Int(Value(), 1)).Distinct()] },
                    "--label" => options with { Label = Value() },
                    "--json" => options with { Json = true },
                    _ => throw new FormatException($"unknown option {name} (see --help)"),
                };
                pids = [.. options.BrokerPids];
            }
        }
        catch (FormatException e)
        {
            return (null, e.Message);
        }

        return (options, null);
    }

    private static int Int(string text, int min, int max = int.MaxValue) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException($"'{text}' is not a whole number from {min} to {max}");

    private static double Double(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new FormatException($"'{text}' is not a number >= 0");

    private static TimeSpan Seconds(string text) => TimeSpan.FromSeconds(Double(text));

    private static BrokerTransport ParseTransport(string text) => text switch
    {
        "tcp" => BrokerTransport.Tcp,
        "ws" or "websocket" => BrokerTransport.WebSocket,
        _ => throw new FormatException($"--transport is tcp or ws, not '{text}'"),
    };

    private static int ParseVersion(string text) => text switch
    {
        "3.1.1" or "4" => 4,
        "5" or "5.0" => 5,
        _ => throw new FormatException($"--mqtt is 3.1.1 or 5, not '{text}'"),
    };

    private static LoadShape ParseShape(string text) => text switch
    {
        "pairwise" => LoadShape.Pairwise,
        "fan-in" => LoadShape.FanIn,
        "fan-out" => LoadShape.FanOut,
        "shared" => LoadShape.Shared,
        "idle" => LoadShape.Idle,
        _ => throw new FormatException($"unknown --shape '{text}' (pairwise, fan-in, fan-out, shared, idle)"),
    };
}
