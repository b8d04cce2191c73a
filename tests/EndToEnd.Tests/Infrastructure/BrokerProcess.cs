using System.Diagnostics;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The broker as users run it: <c>dotnet mqtt-cluster-silo.dll --port P1 --ws-port P2 --silo-port P3 --data-dir DIR</c>,
/// ready when it logs "MQTT broker ready". Stopped with SIGINT (Ctrl-C), SIGKILL only as a fallback or on purpose.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    public const string ReadyMarker = "MQTT broker ready:";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientProcess _process;

    private BrokerProcess(ClientProcess process, int tcpPort, int webSocketPort, int siloPort, int managementPort, string dataDirectory)
    {
        _process = process;
        TcpPort = tcpPort;
        WebSocketPort = webSocketPort;
        SiloPort = siloPort;
        ManagementPort = managementPort;
        DataDirectory = dataDirectory;
    }

    public int TcpPort { get; }

    public int WebSocketPort { get; }

    public int SiloPort { get; }

    /// <summary>The management HTTP port (health, metrics, status page).</summary>
    public int ManagementPort { get; }

    public string DataDirectory { get; }

    public string WebSocketUrl => $"ws://127.0.0.1:{WebSocketPort}/mqtt";

    /// <summary>What the broker printed (its console log on stdout).</summary>
    public OutputLog Log => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts a broker on fresh ports and waits until it accepts clients.</summary>
    public static async Task<BrokerProcess> StartAsync(string dataDirectory, params string[] extraArguments)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePorts.Take(4);
            var broker = Launch(ports[0], ports[1], ports[2], ports[3], dataDirectory, extraArguments);
            var ready = await broker.Log.WaitForLineAsync(l => l.Contains(ReadyMarker, StringComparison.Ordinal), ReadyTimeout);
            if (ready is not null)
            {
                Assert.True(
                    ready.Contains($"tcp 127.0.0.1:{ports[0]},", StringComparison.Ordinal) && ready.Contains($"websocket 127.0.0.1:{ports[1]}/mqtt", StringComparison.Ordinal),
                    $"The broker announced other endpoints than it was given.\n{broker.Describe()}");
                return broker;
            }

            var description = broker.Describe();
            await broker.DisposeAsync();

            // A port found free a moment ago was taken by someone else before the broker bound it.
            if (attempt < 3 && description.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Assert.Fail($"The broker did not log '{ReadyMarker}' within {ReadyTimeout.TotalSeconds} s.\n{description}");
        }
    }

    /// <summary>Ctrl-C: asserts the broker exits by itself within a few seconds and returns its exit code.</summary>
    public async Task<int> StopAsync()
    {
        var stopwatch = Stopwatch.StartNew();
        _process.Interrupt();
        var exitCode = await _process.WaitForExitAsync(StopTimeout, () => $"(SIGINT sent {stopwatch.Elapsed.TotalSeconds:0.0} s ago; killed)");
        return exitCode;
    }

    /// <summary>kill -9: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync(StopTimeout);
    }

    /// <summary>
    /// Checks that the broker is still running and logged no error (or critical) line after
    /// <paramref name="logMark"/> (a line count of <see cref="Log"/> taken earlier).
    /// </summary>
    public void AssertHealthySince(int logMark, string when)
    {
        AssertAlive(when);
        var errors = Log.Lines.Skip(logMark).Where(BrokerLogLines.IsErrorOrWorse).ToList();
        Assert.True(errors.Count == 0, $"The broker logged errors ({when}):\n{string.Join('\n', errors)}\n{Describe()}");
    }

    /// <summary>Fails unless the process is still running.</summary>
    public void AssertAlive(string when) =>
        Assert.False(_process.HasExited, $"The broker process died ({when}).\n{Describe()}");

    /// <summary>The broker's settings and its recent output, for failure messages.</summary>
    public string Describe() =>
        $"broker pid {_process.ProcessId}: tcp {TcpPort}, websocket {WebSocketPort}, silo {SiloPort}, management {ManagementPort}, data {DataDirectory}\n" +
        $"$ {_process.CommandLine}\n broker output:\n{Log.Format(80)}\n broker stderr:\n{_process.Errors.Format(60)}";

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static BrokerProcess Launch(int tcpPort, int webSocketPort, int siloPort, int managementPort, string dataDirectory, string[] extraArguments)
    {
        string[] arguments =
        [
            TestAssets.SiloAssembly,
            "--port", tcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--ws-port", webSocketPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--silo-port", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", dataDirectory,
            $"--Management:Port={managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            .. extraArguments,
        ];

        // Children inherit an ignored SIGINT (test run started as a background job of a non-interactive shell);
        // restore the default so Ctrl-C semantics are what is tested. env execs dotnet: same pid.
        var process = PosixSignals.IsInterruptIgnoredHere()
            ? ClientProcess.Start("/usr/bin/env", ["--default-signal=INT", TestAssets.DotnetHost, .. arguments], dataDirectory)
            : ClientProcess.Start(TestAssets.DotnetHost, arguments, dataDirectory);
        return new BrokerProcess(process, tcpPort, webSocketPort, siloPort, managementPort, dataDirectory);
    }
}
