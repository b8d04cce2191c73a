using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// Will delay and session expiry across a restart of the single node (issue 15: offline sessions live in storage, and
/// their timers with them). A subscriber's persistent session waits offline for a device's will; the device's session
/// has a will delay and a short expiry; the node is killed (device connected) or stopped (device gone with its will
/// pending) and started again on the same data directory: the will reaches the subscriber and the device's session
/// expires, with no client of it back.
/// </summary>
public sealed partial class OfflineSessionRestartTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _data = new("offline-sessions");

    [Fact]
    public async Task Will_and_expiry_of_a_device_connected_when_the_node_was_killed_come_after_the_restart()
    {
        var names = new Names();
        await using (var first = await BrokerProcess.StartAsync(_data.Path))
        {
            await SubscribeAndLeaveAsync(first, names);
            using var device = await ConnectDeviceAsync(first, names);

            // Killed with the device connected: nobody saw it go.
            await first.KillAsync();
        }

        await using var second = await BrokerProcess.StartAsync(_data.Path);
        await AssertWillThenExpiryAsync(second, names);
    }

    [Fact]
    public async Task Pending_will_and_expiry_of_a_device_gone_before_the_node_stopped_come_after_the_restart()
    {
        var names = new Names();
        await using (var first = await BrokerProcess.StartAsync(_data.Path))
        {
            await SubscribeAndLeaveAsync(first, names);
            using var device = await ConnectDeviceAsync(first, names);

            // 0x04: the will applies; it waits for its delay, and the node stops meanwhile.
            await device.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.DisconnectWithWillMessage });
            await first.Log.WaitForLineAsync(l => l.Contains($"'{names.Device}'", StringComparison.Ordinal) && l.Contains("disconnected", StringComparison.OrdinalIgnoreCase), Deadline);
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await BrokerProcess.StartAsync(_data.Path);
        await AssertWillThenExpiryAsync(second, names);
    }

    public void Dispose() => _data.Dispose();

    /// <summary>The subscriber's persistent session (expiry 1 h) subscribes to the will topic and goes offline.</summary>
    private static async Task SubscribeAndLeaveAsync(BrokerProcess broker, Names names)
    {
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        await ConnectAsync(subscriber, broker, names.Subscriber, cleanStart: true, b => b.WithSessionExpiryInterval(3600));
        await subscriber.SubscribeAsync(names.WillTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();

        // Its hand-back is done (the session offline, queueing) before anything else happens: a kill before it would
        // leave the session stored as online, which is another test's subject.
        await WaitForNoOnlineSessionAsync(broker);
    }

    private static async Task WaitForNoOnlineSessionAsync(BrokerProcess broker)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{broker.ManagementPort}/metrics"));
            var online = OnlineSessions().Match(metrics);
            if (online.Success && online.Groups[1].Value == "0")
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The subscriber's session was still online after its DISCONNECT.\n{metrics}\n{broker.Describe()}");
            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"^mqtt_broker_sessions\{[^}]*state=""online""[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex OnlineSessions();

    /// <summary>The device: session expiry 6 s, will after 3 s.</summary>
    private static async Task<IMqttClient> ConnectDeviceAsync(BrokerProcess broker, Names names)
    {
        var device = new MqttClientFactory().CreateMqttClient();
        await ConnectAsync(device, broker, names.Device, cleanStart: true, b => b
            .WithSessionExpiryInterval(6)
            .WithWillTopic(names.WillTopic)
            .WithWillPayload("offline")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillDelayInterval(3));
        return device;
    }

    private static async Task AssertWillThenExpiryAsync(BrokerProcess broker, Names names)
    {
        // The subscriber comes back to its session: the will reaches it, queued or live.
        var received = Channel.CreateUnbounded<string>();
        using var subscriber = new MqttClientFactory().CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.Writer.TryWrite($"{e.ApplicationMessage.Topic} {Encoding.UTF8.GetString(e.ApplicationMessage.Payload)}");
            return Task.CompletedTask;
        };
        var resumed = await ConnectAsync(subscriber, broker, names.Subscriber, cleanStart: false, b => b.WithSessionExpiryInterval(3600));
        Assert.True(resumed.IsSessionPresent, $"The subscriber's session did not survive the restart.\n{broker.Describe()}");

        using (var timeout = new CancellationTokenSource(Deadline))
        {
            Assert.Equal($"{names.WillTopic} offline", await received.Reader.ReadAsync(timeout.Token));
        }

        var expired = await broker.Log.WaitForLineAsync(l => l.Contains($"Session '{names.Device}' expired", StringComparison.Ordinal), Deadline);
        Assert.True(expired is not null, $"The device's session did not expire.\n{broker.Describe()}");

        // Nothing is left of it.
        using var device = new MqttClientFactory().CreateMqttClient();
        var again = await ConnectAsync(device, broker, names.Device, cleanStart: false, b => b.WithSessionExpiryInterval(6));
        Assert.False(again.IsSessionPresent);
        await device.DisconnectAsync();
        Assert.False(received.Reader.TryRead(out var extra), $"Received more than the will: {extra}");
        await subscriber.DisconnectAsync();
        broker.AssertHealthySince(0, "after the will and the expiry");
    }

    private static async Task<MqttClientConnectResult> ConnectAsync(
        IMqttClient client, BrokerProcess broker, string clientId, bool cleanStart, Action<MqttClientOptionsBuilder> configure)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TcpPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(cleanStart)
            .WithTimeout(TimeSpan.FromSeconds(20));
        configure(options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var result = await client.ConnectAsync(options.Build(), timeout.Token);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        return result;
    }

    private sealed class Names
    {
        private readonly string _id = Guid.NewGuid().ToString("N");

        public string Subscriber => $"e2e-watcher-{_id}";

        public string Device => $"e2e-device-{_id}";

        public string WillTopic => $"e2e/offline/{_id}/status";
    }
}
