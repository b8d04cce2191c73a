using System.Globalization;
using System.Text.RegularExpressions;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// <c>deploy/local/cluster.sh</c> as an operator runs it, on the build these tests were made with: <c>start</c>
/// (PostgreSQL, the schema, silos, gateways), node commands such as <c>restart gateway-1</c>, and <c>stop</c> on
/// dispose, which also removes the cluster's directory. Every command must succeed within its deadline.
/// </summary>
public sealed partial class LocalClusterScript : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan NodeCommandTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private LocalClusterScript(string directory, IReadOnlyList<string> startOutput)
    {
        Directory = directory;
        StartOutput = startOutput;
    }

    public static string Script => Path.Combine(TestAssets.RepositoryRoot, "deploy", "local", "cluster.sh");

    /// <summary>The cluster's directory: pids, logs, PostgreSQL's data.</summary>
    public string Directory { get; }

    /// <summary>What <c>start</c> printed: one line per node.</summary>
    public IReadOnlyList<string> StartOutput { get; }

    /// <summary>The gateways' MQTT ports from the start output, gateway 1 first.</summary>
    public IReadOnlyList<int> GatewayMqttPorts =>
        [.. StartOutput.Select(l => GatewayLine().Match(l)).Where(m => m.Success).Select(m => int.Parse(m.Groups["mqtt"].Value, CultureInfo.InvariantCulture))];

    /// <summary>Starts a cluster in a new directory; fails with the script's output and the nodes' logs if it does not come up.</summary>
    public static async Task<LocalClusterScript> StartAsync(int silos, int gateways)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"mqtt-cluster-sh-{Guid.NewGuid():N}");
        await using var start = ChildProcess.Start(
            "/bin/bash",
            [Script, "start", "--silos", $"{silos}", "--gateways", $"{gateways}", "--dir", directory, "--configuration", TestAssets.Configuration, "--no-build"]);
        var cluster = new LocalClusterScript(directory, start.Output.Lines);
        try
        {
            await start.AssertSucceedsAsync(StartTimeout, cluster.Logs);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return new LocalClusterScript(directory, start.Output.Lines);
    }

    /// <summary>Runs a command of the script on this cluster (e.g. <c>restart silo-2</c>) and returns what it printed.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(params string[] command)
    {
        await using var process = ChildProcess.Start("/bin/bash", [Script, .. command, "--dir", Directory]);
        await process.AssertSucceedsAsync(command[0] == "stop" ? StopTimeout : NodeCommandTimeout, Logs);
        return process.Output.Lines;
    }

    /// <summary>The last lines of every log the script's processes wrote, for failure messages.</summary>
    public string Logs() => Logs(30);

    public string Logs(int lines)
    {
        var logs = Path.Combine(Directory, "logs");
        if (!System.IO.Directory.Exists(logs))
        {
            return "(no logs)";
        }

        return string.Join('\n', System.IO.Directory.GetFiles(logs).Order(StringComparer.Ordinal).Select(f =>
            $"== {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(lines))}"));
    }

    /// <summary>Stops whatever the script started (by PID) and removes the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(Directory, "pids")))
        {
            await using var stop = ChildProcess.Start("/bin/bash", [Script, "stop", "--dir", Directory]);
            await stop.TryWaitForExitAsync(StopTimeout);
        }

        // For a look at what every node said: MULTINODE_TESTS_LOG_DIR=/tmp/logs dotnet test tests/MultiNode.Tests
        if (Environment.GetEnvironmentVariable("MULTINODE_TESTS_LOG_DIR") is { Length: > 0 } keep && System.IO.Directory.Exists(Path.Combine(Directory, "logs")))
        {
            var target = Path.Combine(keep, Path.GetFileName(Directory));
            System.IO.Directory.CreateDirectory(target);
            foreach (var log in System.IO.Directory.GetFiles(Path.Combine(Directory, "logs")))
            {
                File.Copy(log, Path.Combine(target, Path.GetFileName(log)), overwrite: true);
            }
        }

        try
        {
            // PostgreSQL's files belong to the postgres user; root may still delete them.
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    // What start prints for each gateway (tests and people parse it; the prefix is stable).
    [GeneratedRegex(@"^gateway (?<index>\d+) mqtt=(?<mqtt>\d+) ws=(?<ws>\d+) management=(?<management>\d+)$")]
    public static partial Regex GatewayLine();

    [GeneratedRegex(@"^silo (?<index>\d+) silo-port=(?<silo>\d+) gateway-port=(?<gateway>\d+) management=(?<management>\d+)$")]
    public static partial Regex SiloLine();
}
