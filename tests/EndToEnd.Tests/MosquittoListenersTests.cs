using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// A mosquitto.conf with three listeners and <c>per_listener_settings true</c>, as a Mosquitto user has it: an open
/// MQTT listener, a tenant listener with a mount point, an ACL and <c>max_qos 1</c>, and a WebSocket listener with
/// its own password file (made by Debian's mosquitto_passwd). Driven by mosquitto_pub/sub and MQTTnet.
/// </summary>
public sealed class MosquittoListenersTests(MosquittoListenersTests.Fixture fixture) : IClassFixture<MosquittoListenersTests.Fixture>
{
    [Fact]
    public async Task A_tenant_publishes_under_its_mount_point_and_the_open_listener_sees_the_full_topic()
    {
        await using var subscriber = await StartReadySubscriberAsync(fixture.OpenPort, "tenant/sensors/#");

        await PublishAsync(fixture.TenantPort, "sensors/temp", "21.5");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
        Assert.Equal("tenant/sensors/temp 21.5", subscriber.Output.Lines[^1]);
    }

    [Fact]
    public async Task A_tenant_subscriber_gets_its_subtree_without_the_mount_point_and_nothing_outside_it()
    {
        await using var subscriber = await StartReadySubscriberAsync(fixture.TenantPort, "#");

        await PublishAsync(fixture.OpenPort, "sensors/outside", "not for the tenant");
        await PublishAsync(fixture.OpenPort, "tenant/sensors/inside", "for the tenant");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
        Assert.Equal("sensors/inside for the tenant", subscriber.Output.Lines[^1]);
        Assert.DoesNotContain(subscriber.Output.Lines, l => l.Contains("not for the tenant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_tenant_acl_is_written_for_the_topics_the_tenant_sees()
    {
        // The ACL allows sensors/# only: outside it, a 3.1.1 publish is acknowledged and dropped (as Mosquitto does).
        await using var subscriber = await StartReadySubscriberAsync(fixture.OpenPort, "tenant/#");

        await PublishAsync(fixture.TenantPort, "actuators/valve", "denied");
        await PublishAsync(fixture.TenantPort, "sensors/allowed", "allowed");

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
        Assert.Equal("tenant/sensors/allowed allowed", subscriber.Output.Lines[^1]);
        Assert.DoesNotContain(subscriber.Output.Lines, l => l.Contains("denied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Mosquitto_pub_with_mqtt_5_refuses_qos_2_where_max_qos_1_is_announced()
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand,
            ["-h", "127.0.0.1", "-p", $"{fixture.TenantPort}", "-V", "5", "-q", "2", "-t", "sensors/q2", "-m", "x"]);

        await publisher.WaitForExitAsync(MosquittoClients.Timeout, fixture.Describe);

        // mosquitto_pub reads the CONNACK's Maximum QoS and does not send (it still exits 0).
        Assert.Contains("QoS not supported", string.Join('\n', publisher.Errors.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_websocket_listener_admits_only_the_users_of_its_own_password_file()
    {
        var anonymous = await ConnectOverWebSocketAsync(null);
        var user = await ConnectOverWebSocketAsync(("erin", "erin-secret"));

        Assert.Equal((MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.Success), (anonymous, user));
    }

    private async Task<MqttClientConnectResultCode> ConnectOverWebSocketAsync((string User, string Password)? credentials)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(ws => ws.WithUri($"ws://127.0.0.1:{fixture.WebSocketPort}/mqtt"))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTimeout(MosquittoClients.Timeout);
        if (credentials is { } c)
        {
            options.WithCredentials(c.User, c.Password);
        }

        var result = await client.ConnectAsync(options.Build());
        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        return result.ResultCode;
    }

    /// <summary>
    /// A subscriber for one message after a retained marker: once it printed the marker, it is subscribed. The marker
    /// is cleared then (the subscriber sees that too), so no other test's subscriber gets it.
    /// </summary>
    private async Task<ClientProcess> StartReadySubscriberAsync(int port, string filter)
    {
        var marker = $"ready-{Guid.NewGuid():N}";
        var markerTopic = filter == "#" ? $"sensors/{marker}" : filter.Replace("#", marker, StringComparison.Ordinal);
        var markerPort = port == fixture.TenantPort ? fixture.TenantPort : fixture.OpenPort;
        await PublishAsync(markerPort, markerTopic, "-r", "-m", marker);
        var subscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand,
            ["-h", "127.0.0.1", "-p", $"{port}", "-t", filter, "-v", "-C", "3", "-W", $"{MosquittoClients.SubscriberTimeoutSeconds}"]);
        await subscriber.WaitForOutputLineAsync(l => l.EndsWith(marker, StringComparison.Ordinal), MosquittoClients.Timeout, "the retained marker", fixture.Describe);
        await PublishAsync(markerPort, markerTopic, "-r", "-n");
        return subscriber;
    }

    private Task PublishAsync(int port, string topic, string payload) => PublishAsync(port, topic, "-m", payload);

    private async Task PublishAsync(int port, string topic, params string[] message)
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "127.0.0.1", "-p", $"{port}", "-q", "1", "-t", topic, .. message]);
        await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, fixture.Describe);
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly TempDirectory _directory = new("listeners");
        private MosquittoConfBroker? _broker;

        public Fixture()
        {
            var ports = FreePorts.Take(3);
            (OpenPort, TenantPort, WebSocketPort) = (ports[0], ports[1], ports[2]);
        }

        public int OpenPort { get; }

        public int TenantPort { get; }

        public int WebSocketPort { get; }

        public string Describe() => _broker?.Describe() ?? "(broker not started)";

        public async Task InitializeAsync()
        {
            var acl = Path.Combine(_directory.Path, "tenant.acl");
            await File.WriteAllLinesAsync(acl, ["topic readwrite sensors/#"]);
            var passwords = Path.Combine(_directory.Path, "ws.passwd");
            MosquittoPasswd.Run("-c", "-b", passwords, "erin", "erin-secret");
            _broker = await MosquittoConfBroker.StartAsync(_directory.Path,
            [
                "per_listener_settings true",
                $"listener {OpenPort} 127.0.0.1",
                "allow_anonymous true",
                "",
                $"listener {TenantPort} 127.0.0.1",
                "mount_point tenant/",
                "max_qos 1",
                "allow_anonymous true",
                $"acl_file {acl}",
                "",
                $"listener {WebSocketPort} 127.0.0.1",
                "protocol websockets",
                "allow_anonymous false",
                $"password_file {passwords}",
            ]);
        }

        public async Task DisposeAsync()
        {
            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            _directory.Dispose();
        }
    }
}
