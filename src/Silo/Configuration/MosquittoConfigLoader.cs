using Microsoft.Extensions.Configuration.EnvironmentVariables;
using MqttCluster.Core.Configuration;

namespace MqttCluster.Silo.Configuration;

/// <summary>
/// The <c>-c/--config FILE</c> of a Mosquitto user: parse the file, report what is not supported with file and
/// line, and add its settings below environment variables and the command line, which stay the primary source.
/// </summary>
public sealed class MosquittoConfigLoader
{
    private MosquittoConfigLoader(string[] remainingArgs, IReadOnlyDictionary<string, string?> settings, string? path = null)
    {
        RemainingArgs = remainingArgs;
        Settings = settings;
        Path = path;
    }

    /// <summary>The mosquitto.conf given with <c>-c</c>; null when there is none.</summary>
    public string? Path { get; }

    /// <summary>The command line without the Mosquitto switches.</summary>
    public string[] RemainingArgs { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Reads <c>-c FILE</c>; null when the file has errors (they were written to <paramref name="errors"/>).</summary>
    public static MosquittoConfigLoader? Load(string[] args, TextWriter errors)
    {
        var remaining = new List<string>();
        string? path = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-c" or "--config" when i + 1 < args.Length:
                    path = args[++i];
                    break;
                case var arg when arg.StartsWith("--config=", StringComparison.Ordinal):
                    path = arg["--config=".Length..];
                    break;
                case "-d" or "--daemon":
                    // Mosquitto's daemon mode: run in the foreground and let systemd keep it (deploy/systemd).
                    errors.WriteLine("warning: -d (daemon) is ignored: the broker runs in the foreground; use the systemd unit to run it in the background");
                    break;
                default:
                    remaining.Add(args[i]);
                    break;
            }
        }

        if (path is null)
        {
            return new MosquittoConfigLoader([.. remaining], new Dictionary<string, string?>());
        }

        if (!File.Exists(path))
        {
            errors.WriteLine($"error: configuration file '{path}' not found");
            return null;
        }

        var config = MosquittoConfigParser.Parse(path);
        var mapping = MosquittoConfigMapping.Map(config);
        foreach (var diagnostic in config.Diagnostics)
        {
            errors.WriteLine(diagnostic.ToString());
        }

        foreach (var line in mapping.Warnings.Concat(mapping.Errors))
        {
            errors.WriteLine(line);
        }

        return config.HasErrors || mapping.Errors.Count > 0 ? null : new MosquittoConfigLoader([.. remaining], WithoutImpliedListener(config, mapping.Settings, remaining), path);
    }

    /// <summary>Reads the file again (a reload): its settings, or what is wrong with it (then nothing changes).</summary>
    public (IReadOnlyDictionary<string, string?> Settings, IReadOnlyList<string> Problems) ReadAgain()
    {
        if (Path is null)
        {
            return (Settings, []);
        }

        if (!File.Exists(Path))
        {
            return (Settings, [$"error: configuration file '{Path}' not found"]);
        }

        var config = MosquittoConfigParser.Parse(Path);
        var mapping = MosquittoConfigMapping.Map(config);
        var problems = config.Diagnostics.Where(d => d.Severity == ConfigSeverity.Error).Select(d => d.ToString()).Concat(mapping.Errors).ToList();
        return (WithoutImpliedListener(config, mapping.Settings, RemainingArgs), problems);
    }

    /// <summary>
    /// Mosquitto 2 listens on port 1883 (loopback) only when nothing defines a listener. A port given on the command
    /// line defines one, so the listener the file implies is left out: two brokers started on the same file with
    /// ports of their own would otherwise both try to take 1883.
    /// </summary>
    private static IReadOnlyDictionary<string, string?> WithoutImpliedListener(MosquittoConfig config, IReadOnlyDictionary<string, string?> settings, IReadOnlyList<string> args)
    {
        if (config.Listeners is not [{ Origin: ListenerOrigin.LocalOnly }] || !args.Any(NamesAPort))
        {
            return settings;
        }

        return settings.Where(s => !s.Key.StartsWith("Mqtt:Listeners:0:", StringComparison.Ordinal)).ToDictionary(s => s.Key, s => s.Value);
    }

    private static bool NamesAPort(string arg) =>
        arg is "--port" or "--ws-port" ||
        arg.StartsWith("--Mqtt:TcpPort", StringComparison.OrdinalIgnoreCase) ||
        arg.StartsWith("--Mqtt:WebSocketPort", StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds the file's settings above appsettings.json and just below the (unprefixed) environment
    /// variables and the command line (or at the end when there are none).</summary>
    public void AddTo(IConfigurationBuilder configuration)
    {
        if (Settings.Count == 0)
        {
            return;
        }

        var source = new MosquittoConfigurationSource(this);
        var index = configuration.Sources.ToList().FindLastIndex(s => s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (index < 0)
        {
            configuration.Sources.Add(source);
        }
        else
        {
            configuration.Sources.Insert(index, source);
        }
    }
}
