using System.Diagnostics;
using System.Globalization;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// One node of the cluster as operators run it: a silo (grains only, or with its co-hosted MQTT gateway) or a
/// standalone gateway, started with <c>dotnet</c> on 127.0.0.1 ports of its own and waited for until it logs that
/// it is ready. Stopped with SIGINT (Ctrl-C), killed only as a fallback or on purpose (kill -9). A stopped node can
/// be started again with the same ports and settings.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string GatewayReadyMarker = "MQTT broker ready:";
    public const string SiloReadyMarker = "Silo ready (grains only)";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly string _connectionString;
    private readonly string _clusterId;
    private readonly string _workingDirectory;
    private readonly string[] _extraArguments;
    private readonly List<ChildProcess> _runs = [];

    private NodeProcess(string name, NodeKind kind, string connectionString, string clusterId, string workingDirectory, string[] extraArguments, int[] ports)
    {
        Name = name;
        Kind = kind;
        _connectionString = connectionString;
        _clusterId = clusterId;
        _workingDirectory = workingDirectory;
        _extraArguments = extraArguments;
        if (kind == NodeKind.Gateway)
        {
            (TcpPort, WebSocketPort) = (ports[0], ports[1]);
        }
        else
        {
            (SiloPort, OrleansGatewayPort) = (ports[0], ports[1]);
            if (kind == NodeKind.GatewaySilo)
            {
                (TcpPort, WebSocketPort) = (ports[2], ports[3]);
            }
        }
    }

    public string Name { get; }

    public NodeKind Kind { get; }

    public bool ServesMqtt => Kind != NodeKind.GrainSilo;

    public int TcpPort { get; }

    public int WebSocketPort { get; }

    public int SiloPort { get; }

    /// <summary>The silo's port for Orleans clients (standalone gateways).</summary>
    public int OrleansGatewayPort { get; }

    public string WebSocketUrl => $"127.0.0.1:{WebSocketPort}/mqtt";

    /// <summary>The management port's URL of the current run (port 0: the node picks one and says it when ready).</summary>
    public Uri? ManagementUrl { get; private set; }

    /// <summary>The current (or last) run of the process.</summary>
    private ChildProcess Current => _runs.Count > 0 ? _runs[^1] : throw new InvalidOperationException($"{Name} was never started.");

    public bool IsRunning => _runs.Count > 0 && !Current.HasExited;

    public int ProcessId => Current.ProcessId;

    /// <summary>What the current run printed (its single-line console log).</summary>
    public OutputLog Log => Current.Output;

    /// <summary>Creates a node on fresh ports and starts it; returns once it is ready.</summary>
    /// <param name="extraArguments">Settings beyond cluster and ports, e.g. a log level.</param>
    public static async Task<NodeProcess> StartAsync(string name, NodeKind kind, string connectionString, string clusterId, string workingDirectory, params string[] extraArguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = new NodeProcess(name, kind, connectionString, clusterId, workingDirectory, extraArguments, FreePorts.Take(4));
            try
            {
                await node.StartAgainAsync();
                return node;
            }
            catch (Exception) when (attempt < 3 && node.Describe().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                // A port found free a moment ago was taken by someone else before the node bound it.
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>Starts the node (again, after a stop or kill) on its ports and waits until it is ready.</summary>
    public async Task StartAgainAsync()
    {
        Assert.False(IsRunning, $"{Name} is already running.");
        var process = ChildProcess.Start(TestAssets.DotnetHost, Arguments(), _workingDirectory, defaultInterrupt: true);
        _runs.Add(process);
        var marker = Kind == NodeKind.GrainSilo ? SiloReadyMarker : GatewayReadyMarker;
        var ready = await process.Output.WaitForLineAsync(l => l.Contains(marker, StringComparison.Ordinal), ReadyTimeout);
        if (ready is null)
        {
            process.Kill();
            await process.TryWaitForExitAsync(StopTimeout);
            Assert.Fail($"{Name} did not log '{marker}' within {ReadyTimeout.TotalSeconds} s.\n{Describe()}");
        }

        if (ServesMqtt)
        {
            var management = ready[(ready.LastIndexOf("management ", StringComparison.Ordinal) + "management ".Length)..].Trim();
            ManagementUrl = Uri.TryCreate(management, UriKind.Absolute, out var url) ? url : null;
            Assert.True(
                ready.Contains($"tcp 127.0.0.1:{TcpPort},", StringComparison.Ordinal) && ready.Contains($"websocket {WebSocketUrl}", StringComparison.Ordinal),
                $"{Name} announced other endpoints than it was given.\n{Describe()}");
        }
    }

    /// <summary>Ctrl-C; kill -9 if it does not exit in time. Returns the exit code, or null if it had to be killed.</summary>
    public async Task<int?> StopAsync()
    {
        if (!IsRunning)
        {
            return null;
        }

        var process = Current;
        process.Interrupt();
        if (await process.TryWaitForExitAsync(StopTimeout))
        {
            return process.ExitCode;
        }

        process.Kill();
        await process.TryWaitForExitAsync(StopTimeout);
        return null;
    }

    /// <summary>kill -9: no shutdown code runs, no goodbye to clients or the cluster. Returns when the process is gone.</summary>
    public async Task KillAsync()
    {
        var process = Current;
        process.Kill();
        Assert.True(await process.TryWaitForExitAsync(StopTimeout), $"{Name} (pid {process.ProcessId}) did not die from SIGKILL.");
    }

    /// <summary>Log lines at error level or worse (" fail: " or " crit: ") from every run so far.</summary>
    public IReadOnlyList<string> ErrorLines() =>
        [.. _runs.SelectMany(r => r.Output.Lines).Where(l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))];

    /// <summary>The node's settings and recent output, for failure messages.</summary>
    public string Describe(int outputLines = 60)
    {
        var endpoints = Kind switch
        {
            NodeKind.GrainSilo => $"silo {SiloPort}, orleans gateway {OrleansGatewayPort}",
            NodeKind.GatewaySilo => $"silo {SiloPort}, orleans gateway {OrleansGatewayPort}, mqtt {TcpPort}, ws {WebSocketPort}",
            _ => $"mqtt {TcpPort}, ws {WebSocketPort}",
        };
        if (_runs.Count == 0)
        {
            return $"== {Name} ({Kind}: {endpoints}): never started";
        }

        var state = Current.ExitCode is { } code ? $"exited ({code})" : "running";
        var runs = string.Join('\n', _runs.Select((r, i) => $" run {i + 1}, pid {r.ProcessId}:\n{r.Describe(outputLines)}"));
        return $"== {Name} ({Kind}: {endpoints}), {state}\n{runs}";
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var run in _runs)
        {
            await run.DisposeAsync();
        }
    }

    private List<string> Arguments()
    {
        static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

        var clusterId = $"--Cluster:ClusterId={_clusterId}";
        List<string> arguments = Kind switch
        {
            NodeKind.Gateway =>
            [
                TestAssets.GatewayAssembly, "--postgres", _connectionString, clusterId,
                "--port", Port(TcpPort), "--ws-port", Port(WebSocketPort),
            ],
            NodeKind.GrainSilo =>
            [
                TestAssets.SiloAssembly, $"--Cluster:PostgresConnectionString={_connectionString}", clusterId,
                "--Cluster:HostGateway=false", "--silo-port", Port(SiloPort), $"--Silo:GatewayPort={Port(OrleansGatewayPort)}",
            ],
            _ =>
            [
                TestAssets.SiloAssembly, $"--Cluster:PostgresConnectionString={_connectionString}", clusterId,
                "--silo-port", Port(SiloPort), $"--Silo:GatewayPort={Port(OrleansGatewayPort)}",
                "--port", Port(TcpPort), "--ws-port", Port(WebSocketPort), "--data-dir", Path.Combine(_workingDirectory, Name),
            ],
        };
        // Every node of a test cluster on one machine: its own management port, not the default 8080.
        arguments.Add("--Management:Port=0");
        arguments.AddRange(_extraArguments);
        return arguments;
    }
}
