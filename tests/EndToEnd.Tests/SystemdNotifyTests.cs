using System.Net.Sockets;
using System.Text;
using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// What a <c>Type=notify</c> unit (deploy/systemd) relies on, without systemd: the broker sends READY=1 to
/// NOTIFY_SOCKET once clients can connect, so <c>systemctl start</c> returns only then, and STOPPING=1 on SIGTERM.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("notify");

    [Fact]
    public async Task The_broker_notifies_ready_once_it_serves_MQTT_and_stopping_on_SIGTERM()
    {
        var socketPath = Path.Combine(_directory.Path, "notify.sock");
        using var notifySocket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notifySocket.Bind(new UnixDomainSocketEndPoint(socketPath));
        var ports = FreePorts.Take(3);

        // env sets the variable and execs the broker: the notifying process is the one systemd would have started.
        await using var broker = ClientProcess.Start(
            "/usr/bin/env",
            [
                $"NOTIFY_SOCKET={socketPath}", TestAssets.DotnetHost, TestAssets.SiloAssembly,
                "--port", $"{ports[0]}", "--ws-port", $"{ports[1]}", "--silo-port", $"{ports[2]}", "--data-dir", Path.Combine(_directory.Path, "data"),
            ],
            _directory.Path);

        await ReceiveAsync(notifySocket, "READY=1", StartTimeout, broker);

        // What a unit ordered After= this one would do as soon as systemctl start returned.
        using var client = new MqttClientFactory().CreateMqttClient();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            var connected = await client.ConnectAsync(
                new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", ports[0]).WithProtocolVersion(MqttProtocolVersion.V500).Build(),
                timeout.Token);
            Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        }

        PosixSignals.Terminate(broker.ProcessId);
        await ReceiveAsync(notifySocket, "STOPPING=1", StopTimeout, broker);
        var exitCode = await broker.WaitForExitAsync(StopTimeout);
        Assert.True(exitCode == 0, $"SIGTERM should stop the broker with exit code 0, not {exitCode}.\n{broker.Describe()}");
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Reads notifications until one carries <paramref name="state"/>; fails with the broker's output if none does in time.</summary>
    private static async Task ReceiveAsync(Socket socket, string state, TimeSpan timeout, ClientProcess broker)
    {
        var received = new List<string>();
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var length = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                var message = Encoding.UTF8.GetString(buffer, 0, length);
                received.Add(message);
                if (message.Split('\n').Contains(state, StringComparer.Ordinal))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No {state} on NOTIFY_SOCKET within {timeout.TotalSeconds:0} s (received: {string.Join(" | ", received)}).\n{broker.Describe()}");
        }
    }
}
