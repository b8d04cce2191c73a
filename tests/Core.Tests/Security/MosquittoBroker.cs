using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using MqttCluster.Core.Tests.Configuration;

namespace MqttCluster.Core.Tests.Security;

/// <summary>
/// The real Mosquitto on a free loopback port, for checking that it accepts files written here and that our ACL
/// evaluation delivers what it delivers. Killed on dispose.
/// </summary>
internal sealed class MosquittoBroker : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private MosquittoBroker(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts Mosquitto with <paramref name="configLines"/> after a listener line and waits until it accepts connections.</summary>
    public static async Task<MosquittoBroker> StartAsync(TempDirectory directory, params string[] configLines)
    {
        var port = MosquittoTools.FreePort();

        // Started as root, Mosquitto switches to the 'mosquitto' user before reading password_file, and could not
        // read the 0600 files the tests write; 'user root' keeps it as it is (ignored when not root).
        var config = directory.Write("mosquitto.conf", [$"listener {port} 127.0.0.1", "user root", .. configLines]);
        var process = Process.Start(new ProcessStartInfo(MosquittoTools.Broker, ["-c", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var broker = new MosquittoBroker(process, port);
        process.OutputDataReceived += (_, e) => broker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await broker.WaitUntilListeningAsync();
            return broker;
        }
        catch
        {
            broker.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            Assert.False(_process.HasExited, $"mosquitto exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Log}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet: poll again shortly.
                await Task.Delay(20);
            }
            catch (SocketException)
            {
                Assert.Fail($"mosquitto did not listen on port {Port} within 5 s:\n{Log}");
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _ = _log.AppendLine(line);
        }
    }
}
