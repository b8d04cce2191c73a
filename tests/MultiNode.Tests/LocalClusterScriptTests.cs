using System.Globalization;
using MqttCluster.MultiNode.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// <c>deploy/local/cluster.sh</c> as the README shows it: start 3 silos and 2 gateways, route a message between
/// the gateways with mosquitto's clients, stop, and nothing it started is left running.
/// </summary>
public sealed class LocalClusterScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Start_brings_up_3_silos_and_2_gateways_that_route_between_each_other_and_stop_ends_them_all()
    {
        await using var cluster = await LocalClusterScript.StartAsync(silos: 3, gateways: 2);
        var gateways = cluster.StartOutput.Select(l => LocalClusterScript.GatewayLine().Match(l)).Where(m => m.Success).ToList();
        var silos = cluster.StartOutput.Select(l => LocalClusterScript.SiloLine().Match(l)).Where(m => m.Success).ToList();
        Assert.True(gateways.Count == 2 && silos.Count == 3, $"cluster.sh should print three silo and two gateway lines:\n{string.Join('\n', cluster.StartOutput)}");
        Assert.Equal(["1", "2"], gateways.Select(g => g.Groups["index"].Value));
        Assert.Equal(["1", "2", "3"], silos.Select(g => g.Groups["index"].Value));

        // Every process its own management port (their default, 8080, would collide).
        var managementPorts = silos.Concat(gateways).Select(m => m.Groups["management"].Value).ToList();
        Assert.Equal(managementPorts.Count, managementPorts.Distinct().Count());
        var mqttPorts = cluster.GatewayMqttPorts;

        var processes = StartedProcesses(cluster.Directory);
        output.WriteLine($"started: {string.Join(", ", processes.Select(p => $"{p.Kind} {p.Pid}"))}");
        Assert.Equal(3, processes.Count(p => p.Kind == "silo"));
        Assert.Equal(2, processes.Count(p => p.Kind == "gateway"));
        Assert.All(processes, p => Assert.True(IsAlive(p.Pid), $"{p.Kind} {p.Pid} is not running after start.\n{cluster.Logs()}"));

        var topic = $"cluster-sh/{Guid.NewGuid():N}";
        await using (var subscriber = await MosquittoClients.StartReadySubscriberAsync(mqttPorts[0], mqttPorts[1], topic, messagesAfterMarker: 1, "-q", "1"))
        {
            await MosquittoClients.PublishAsync(mqttPorts[1], "-t", $"{topic}/hello", "-m", "from gateway 2", "-q", "1");
            await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, cluster.Logs);
            Assert.Equal([$"{topic}/ready ready", $"{topic}/hello from gateway 2"], subscriber.Output.Lines);
        }

        await cluster.RunAsync("stop");
        var left = processes.Where(p => IsAlive(p.Pid)).Select(p => $"{p.Kind} {p.Pid}").Concat(ProcessesMentioning(cluster.Directory)).ToList();
        Assert.True(left.Count == 0, $"cluster.sh stop left processes running: {string.Join(", ", left)}");
    }

    /// <summary>Silos and gateways from DIR/pids, and PostgreSQL's postmaster from its pid file.</summary>
    private static List<(string Kind, int Pid)> StartedProcesses(string directory)
    {
        var processes = File.ReadAllLines(Path.Combine(directory, "pids"))
            .Select(l => l.Split(' '))
            .Where(f => f[0] is "silo" or "gateway")
            .Select(f => (f[0], int.Parse(f[1], CultureInfo.InvariantCulture)))
            .ToList();
        var postmaster = File.ReadLines(Path.Combine(directory, "pg", "postmaster.pid")).First();
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
}
