using System.Globalization;
using System.Text.RegularExpressions;
using MqttCluster.MultiNode.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// <c>deploy/local/cluster.sh</c> as the README shows it: start 3 silos and 2 gateways, route a message between
/// the gateways with mosquitto's clients, stop, and nothing it started is left running.
/// </summary>
public sealed partial class LocalClusterScriptTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mqtt-cluster-sh-{Guid.NewGuid():N}");

    private static string Script => Path.Combine(TestAssets.RepositoryRoot, "deploy", "local", "cluster.sh");

    [Fact]
    public async Task Start_brings_up_3_silos_and_2_gateways_that_route_between_each_other_and_stop_ends_them_all()
    {
        // The build these tests were made with (the script builds Release by default).
        await using var start = ChildProcess.Start(
            "/bin/bash", [Script, "start", "--silos", "3", "--gateways", "2", "--dir", _directory, "--configuration", TestAssets.Configuration, "--no-build"]);
        try
        {
            await start.AssertSucceedsAsync(StartTimeout, Logs);
            var gateways = start.Output.Lines.Select(l => GatewayLine().Match(l)).Where(m => m.Success).ToList();
            Assert.True(gateways.Count == 2, $"cluster.sh should print two gateway lines:\n{start.Describe()}");
            Assert.Equal(["1", "2"], gateways.Select(g => g.Groups["index"].Value));
            var mqttPorts = gateways.Select(g => int.Parse(g.Groups["mqtt"].Value, CultureInfo.InvariantCulture)).ToArray();

            var processes = StartedProcesses();
            output.WriteLine($"started: {string.Join(", ", processes.Select(p => $"{p.Kind} {p.Pid}"))}");
            Assert.Equal(3, processes.Count(p => p.Kind == "silo"));
            Assert.Equal(2, processes.Count(p => p.Kind == "gateway"));
            Assert.All(processes, p => Assert.True(IsAlive(p.Pid), $"{p.Kind} {p.Pid} is not running after start.\n{Logs()}"));

            var topic = $"cluster-sh/{Guid.NewGuid():N}";
            await using (var subscriber = await MosquittoClients.StartReadySubscriberAsync(mqttPorts[0], mqttPorts[1], topic, messagesAfterMarker: 1, "-q", "1"))
            {
                await MosquittoClients.PublishAsync(mqttPorts[1], "-t", $"{topic}/hello", "-m", "from gateway 2", "-q", "1");
                await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Logs);
                Assert.Equal([$"{topic}/ready ready", $"{topic}/hello from gateway 2"], subscriber.Output.Lines);
            }

            await using var stop = ChildProcess.Start("/bin/bash", [Script, "stop", "--dir", _directory]);
            await stop.AssertSucceedsAsync(StopTimeout, Logs);
            var left = processes.Where(p => IsAlive(p.Pid)).Select(p => $"{p.Kind} {p.Pid}").Concat(ProcessesMentioning(_directory)).ToList();
            Assert.True(left.Count == 0, $"cluster.sh stop left processes running: {string.Join(", ", left)}\n{stop.Describe()}");
        }
        finally
        {
            if (File.Exists(Path.Combine(_directory, "pids")))
            {
                // Start or the test failed before its own stop: stop whatever the script started anyway.
                await using var cleanup = ChildProcess.Start("/bin/bash", [Script, "stop", "--dir", _directory]);
                await cleanup.TryWaitForExitAsync(StopTimeout);
            }
        }
    }

    public void Dispose()
    {
        // PostgreSQL's files belong to the postgres user; root may still delete them.
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Silos and gateways from DIR/pids, and PostgreSQL's postmaster from its pid file.</summary>
    private List<(string Kind, int Pid)> StartedProcesses()
    {
        var processes = File.ReadAllLines(Path.Combine(_directory, "pids"))
            .Select(l => l.Split(' '))
            .Where(f => f[0] is "silo" or "gateway")
            .Select(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
        var postmaster = File.ReadLines(Path.Combine(_directory, "pg", "postmaster.pid")).First();
        processes.Add(("postgres", int.Parse(postmaster, CultureInfo.InvariantCulture)));
        return processes;
    }

    private static bool IsAlive(int pid) =>
        Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].StartsWith('Z');

    /// <summary>Processes whose command line names <paramref name="directory"/> (PostgreSQL's -D, for one).</summary>
    private static IEnumerable<string> ProcessesMentioning(string directory)
    {
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid))
            {
                continue;
            }

            string commandLine;
            try
            {
                commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (commandLine.Contains(directory, StringComparison.Ordinal) && IsAlive(pid))
            {
                yield return $"{pid}: {commandLine}";
            }
        }
    }

    /// <summary>What the script's processes logged, for failure messages.</summary>
    private string Logs()
    {
        var logs = Path.Combine(_directory, "logs");
        if (!Directory.Exists(logs))
        {
            return "(no logs)";
        }

        return string.Join('\n', Directory.GetFiles(logs).Order(StringComparer.Ordinal).Select(f =>
            $"== {Path.GetFileName(f)}\n{string.Join('\n', File.ReadLines(f).TakeLast(30))}"));
    }

    [GeneratedRegex(@"^gateway (?<index>\d+) mqtt=(?<mqtt>\d+) ws=(?<ws>\d+)$")]
    private static partial Regex GatewayLine();
}
