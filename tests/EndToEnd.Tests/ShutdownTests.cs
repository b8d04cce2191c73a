using System.Diagnostics;
using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>Ctrl-C with clients connected: the broker tells them and exits 0 within a few seconds.</summary>
public sealed class ShutdownTests : IDisposable
{
    private static readonly TimeSpan PromptExit = TimeSpan.FromSeconds(5);

    private readonly TempDirectory _data = new("shutdown");

    [Fact]
    public async Task Ctrl_C_with_clients_connected_exits_0_promptly_and_tells_MQTT_5_clients_why()
    {
        await using var broker = await BrokerProcess.StartAsync(_data.Path);
        var v5Disconnected = new TaskCompletionSource<MqttClientDisconnectedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var v5 = new MqttClientFactory().CreateMqttClient();
        v5.DisconnectedAsync += e =>
        {
            v5Disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            await v5.ConnectAsync(
                new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.TcpPort).WithProtocolVersion(MqttProtocolVersion.V500).Build(),
                timeout.Token);
        }

        await using var v311 = await RawMqttConnection.OpenAsync(broker);
        await v311.SendAsync(MqttBytes.Connect($"shutdown-{Guid.NewGuid():N}"));
        Assert.Equal(MqttBytes.Hex(MqttBytes.ConnAckAccepted311), MqttBytes.Hex(await v311.ReadPacketAsync(TimeSpan.FromSeconds(5))));

        var stopwatch = Stopwatch.StartNew();
        var exitCode = await broker.StopAsync();
        var elapsed = stopwatch.Elapsed;

        Assert.True(exitCode == 0, $"Exit code {exitCode} after Ctrl-C.\n{broker.Describe()}");
        Assert.True(elapsed < PromptExit, $"The broker took {elapsed.TotalSeconds:0.0} s to exit after Ctrl-C (expected under {PromptExit.TotalSeconds} s).\n{broker.Describe()}");
        Assert.DoesNotContain(broker.Log.Lines, BrokerLogLines.IsErrorOrWorse);

        // [MQTT-4.13.2-1]: a v5 client is sent DISCONNECT 0x8B (server shutting down) before the close.
        var disconnected = await v5Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(
            disconnected.Reason == MqttClientDisconnectReason.ServerShuttingDown,
            $"The MQTT 5 client saw {disconnected.Reason} ({disconnected.ReasonString}), not ServerShuttingDown.\n{broker.Describe()}");
        var v311End = await v311.ReadUntilClosedAsync(TimeSpan.FromSeconds(5));
        Assert.True(v311End.Closed, $"The 3.1.1 connection was not closed: {v311End.How}.");
    }

    public void Dispose() => _data.Dispose();
}
