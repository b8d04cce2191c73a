using System.Globalization;

namespace MqttCluster.LoadGenerator;

/// <summary>Options of <c>mqtt-cluster-bench offline-sessions</c> (see <see cref="HelpText"/>).</summary>
public sealed record OfflineSessionsOptions
{
    public const string Command = "offline-sessions";

    public const string HelpText = """
        mqtt-cluster-bench offline-sessions: offline persistent sessions with queued messages (MQTT 3.1.1).

        Usage: dotnet mqtt-cluster-bench.dll offline-sessions --phase fill|resume [options]

          --phase fill|resume      fill: N clients (clean session 0) subscribe to bench/offline/{n} at QoS 1 and leave,
                                   then M QoS 1 messages go to every topic; resume: every client comes back and must
                                   find its session and its M messages in order
          --host HOST              broker address                               (default 127.0.0.1)
          --port N                 MQTT port                                    (default 1883)
          --sessions N             sessions                                     (default 100000)
          --messages M             messages per session                         (default 10)
          --concurrency N          clients connecting at once                   (default 200)
          --publishers N           fill: publisher connections                  (default 8)
          --inflight N             fill: unacknowledged messages per publisher  (default 100)
          --settle SECONDS         read the broker's RSS again this long after  (default 30)
          --broker-pid PID         the broker process whose RSS is read (repeatable)
        """;

    public string Phase { get; init; } = "fill";

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    public int Sessions { get; init; } = 100_000;

    public int Messages { get; init; } = 10;

    public int Concurrency { get; init; } = 200;

    public int Publishers { get; init; } = 8;

    public int Inflight { get; init; } = 100;

    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(30);

    public IReadOnlyList<int> BrokerPids { get; init; } = [];

    /// <summary>Parses the arguments after the command name; null and a message when they are wrong.</summary>
    public static (OfflineSessionsOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new OfflineSessionsOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                return (null, $"{args[i]} needs a value");
            }

            var value = args[i + 1];
            if (args[i] is not ("--phase" or "--host") && !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return (null, $"{args[i]}: '{value}' is not a number");
            }

            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--phase" when value is "fill" or "resume" => options with { Phase = value },
                "--host" => options with { Host = value },
                "--port" => options with { Port = Number() },
                "--sessions" => options with { Sessions = Number() },
                "--messages" => options with { Messages = Number() },
                "--concurrency" => options with { Concurrency = Math.Max(1, Number()) },
                "--publishers" => options with { Publishers = Math.Max(1, Number()) },
                "--inflight" => options with { Inflight = Math.Max(1, Number()) },
                "--settle" => options with { Settle = TimeSpan.FromSeconds(Number()) },
                "--broker-pid" => options with { BrokerPids = [.. options.BrokerPids, Number()] },
                _ => null!,
            };
            if (options is null)
            {
                return (null, $"unknown option {args[i]} {value} (see offline-sessions --help)");
            }
        }

        return (options, null);
    }
}
