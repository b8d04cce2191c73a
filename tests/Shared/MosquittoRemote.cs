using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.Tests.Shared;

/// <summary>
/// Debian's <c>mosquitto</c> (installed by test.sh) as a bridge's remote broker (Gateway.Tests, MultiNode.Tests): its own configuration and data
/// directory, a free port on 127.0.0.1, stopped (SIGTERM, or SIGKILL when it does not go) and started again on the
/// same port by the test, and always stopped by its process id at the end.
/// </summary>
public sealed class MosquittoRemote : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "mqtt-bridge-tests", Guid.NewGuid().ToString("N"));
    private readonly List<string> _output = [];
    private Process? _process;

    private MosquittoRemote(int port, int tlsPort) => (Port, TlsPort) = (port, tlsPort);

    public int Port { get; }

    /// <summary>A second port, for a TLS listener the fixture may add.</summary>
    public int TlsPort { get; }

    /// <summary>Where the configuration, the database and any certificates of this Mosquitto live.</summary>
    public string Directory => _directory;

    /// <summary>What Mosquitto wrote (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output.TakeLast(60));
            }
        }
    }

    /// <summary>Whether any line Mosquitto wrote so far contains <paramref name="text"/>.</summary>
    public bool Logged(string text)
    {
        lock (_output)
        {
            return _output.Exists(l => l.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>Options for a client of this Mosquitto (a persistent session unless <paramref name="cleanSession"/>).</summary>
    public MqttClientOptions ClientOptions(MqttProtocolVersion version, string clientId, bool cleanSession) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Port)
            .WithProtocolVersion(version)
            .WithClientId(clientId)
            .WithCleanSession(cleanSession)
            .WithSessionExpiryInterval(cleanSession ? 0u : uint.MaxValue)
            .WithTimeout(ClientTimeout)
            .Build();

    /// <summary>Starts Mosquitto with a plain listener on <see cref="Port"/> (<paramref name="port"/>, or a free one) and the lines <paramref name="extra"/>
    /// returns for its directory (a TLS listener on <see cref="TlsPort"/>, say).</summary>
    public static async Task<MosquittoRemote> StartAsync(Func<MosquittoRemote, IEnumerable<string>>? extra = null, int? port = null)
    {
        var remote = new MosquittoRemote(port ?? FreePort(), FreePort());
        System.IO.Directory.CreateDirectory(remote._directory);

        // Started as root, Mosquitto drops to its own user, which must still write its database here.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(remote._directory, (UnixFileMode)0b111_111_111);
        }

        // Persistence keeps the test's own subscriber sessions across a stop, so messages the bridge sends right
        // after a restart wait for them. The state is written on a clean stop.
        await File.WriteAllTextAsync(Path.Combine(remote._directory, "mosquitto.conf"), string.Join('\n', (string[])
        [
            $"listener {remote.Port.ToString(CultureInfo.InvariantCulture)} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            $"persistence_location {remote._directory}/",
            "max_queued_messages 10000",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "log_type subscribe",
            .. extra?.Invoke(remote) ?? [],
            "",
        ]));
        await remote.StartAgainAsync();
        return remote;
    }

    /// <summary>Starts Mosquitto (again) on <see cref="Port"/> and returns once it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            ArgumentList = { "-c", Path.Combine(_directory, "mosquitto.conf") },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var deadline = Stopwatch.GetTimestamp() + (long)(StartTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!await AcceptsAsync())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"mosquitto did not listen on 127.0.0.1:{Port} within {StartTimeout.TotalSeconds} s{Environment.NewLine}{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Stops Mosquitto as a service manager would (SIGTERM), so it saves its sessions, and waits for the exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        _process = null;
    }

    /// <summary>Kills Mosquitto (SIGKILL): it saves nothing, so it forgets what it learnt since it started.</summary>
    public async Task KillAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Environment.GetEnvironmentVariable("GATEWAY_TESTS_LOG_DIR") is { Length: > 0 } logDirectory)
        {
            System.IO.Directory.CreateDirectory(logDirectory);
            await File.WriteAllTextAsync(Path.Combine(logDirectory, $"mosquitto-{Port}.log"), Output);
        }

        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    private async Task<bool> AcceptsAsync()
    {
        if (_process is { HasExited: true })
        {
            throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
        }

        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>A loopback port free right now (nothing listens there until someone binds it).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
