using System.Runtime.CompilerServices;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Base of the gateway tests: creates clients against the class's broker, closes them after each test, and fails
/// the test when the broker logged an error meanwhile (unless the test provokes one on purpose).
/// </summary>
public abstract class BrokerTest<TFixture>(TFixture broker) : IAsyncLifetime
    where TFixture : BrokerFixture
{
    private readonly List<IAsyncDisposable> _clients = [];
    private long _logPosition;
    private bool _brokerErrorsExpected;

    protected TFixture Broker => broker;

    public Task InitializeAsync()
    {
        _logPosition = broker.Log.Position;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        if (!_brokerErrorsExpected)
        {
            var errors = broker.Log.ErrorsSince(_logPosition);
            Assert.True(errors.Count == 0, $"The broker logged errors during the test:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}");
        }
    }

    /// <summary>The broker's warnings and errors since the test began (the last 30), for failure messages.</summary>
    protected string BrokerWarnings()
    {
        var lines = broker.Log.WarningsSince(_logPosition);
        return lines.Count == 0
            ? "The broker logged no warnings during the test."
            : $"The broker's warnings during the test:{Environment.NewLine}{string.Join(Environment.NewLine, lines.TakeLast(30))}";
    }

    /// <summary>For tests that make the broker log an error on purpose.</summary>
    protected void ExpectBrokerErrors() => _brokerErrorsExpected = true;

    /// <summary>A client id no other test uses; short, as MQTT 3.1 allows only 23 characters.</summary>
    protected static string NewClientId(string prefix = "c") => $"{prefix}-{Guid.NewGuid():N}"[..23];

    /// <summary>A payload that cannot be confused with anything else a test sends.</summary>
    protected static string NewMarker() => $"marker-{Guid.NewGuid():N}";

    /// <summary>A topic no other test uses.</summary>
    protected static string NewTopic([CallerMemberName] string test = "") => $"{test}/{Guid.NewGuid():N}";

    protected MqttClientOptionsBuilder Options(MqttTransport transport, MqttProtocolVersion version, string? clientId = null)
    {
        var options = new MqttClientOptionsBuilder()
            .WithProtocolVersion(version)
            .WithClientId(clientId ?? NewClientId())
            .WithTimeout(Within.DefaultTimeout);
        return transport == MqttTransport.Tcp
            ? options.WithTcpServer("127.0.0.1", broker.TcpEndPoint.Port)
            : options.WithWebSocketServer(ws => ws.WithUri($"ws://127.0.0.1:{broker.WebSocketEndPoint.Port}/mqtt"));
    }

    /// <summary>Connects a client and expects the broker to accept it.</summary>
    protected async Task<TestClient> ConnectAsync(
        MqttTransport transport = MqttTransport.Tcp,
        MqttProtocolVersion version = MqttProtocolVersion.V500,
        string? clientId = null,
        Action<MqttClientOptionsBuilder>? configure = null)
    {
        var options = Options(transport, version, clientId);
        configure?.Invoke(options);
        var client = await TryConnectAsync(version, options.Build());
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        return client;
    }

    /// <summary>Connects a client and returns whatever the broker answered.</summary>
    protected async Task<TestClient> TryConnectAsync(MqttProtocolVersion version, MqttClientOptions options)
    {
        var client = new TestClient(version, BrokerWarnings);
        _clients.Add(client);
        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        client.ConnectResult = await client.Mqtt.ConnectAsync(options, timeout.Token);
        return client;
    }

    protected async Task<RawMqttClient> OpenRawAsync(MqttProtocolVersion version)
    {
        var client = await RawMqttClient.OpenAsync(broker.TcpEndPoint, version);
        _clients.Add(client);
        return client;
    }

    protected async Task<RawMqttClient> ConnectRawAsync(MqttProtocolVersion version, MQTTnet.Packets.MqttConnectPacket connect)
    {
        var client = await RawMqttClient.ConnectAsync(broker.TcpEndPoint, version, connect);
        _clients.Add(client);
        return client;
    }

    /// <summary>
    /// Subscribes and returns the retained messages that came with it. The broker sends them before it reads the
    /// client's next packet, so a marker the subscriber publishes right after SUBACK arrives after all of them.
    /// </summary>
    protected static async Task<IReadOnlyList<string>> SubscribeForRetainedAsync(
        TestClient subscriber,
        string filter,
        MqttRetainHandling handling = MqttRetainHandling.SendAtSubscribe)
    {
        var options = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS().WithRetainHandling(subscriber.Version == MqttProtocolVersion.V500 ? handling : MqttRetainHandling.SendAtSubscribe))
            .Build();
        var result = await subscriber.SubscribeAsync(options);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);

        var marker = NewMarker();
        var markerTopic = NewTopic() + "/marker";

        // QoS 1 like the retained messages, so the marker queues behind them in the in-flight window.
        await subscriber.SubscribeAsync(markerTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.PublishAsync(markerTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await subscriber.Inbox.UntilMarkerAsync(marker);
        var retained = received.Take(received.Count - 1).ToList();
        Assert.All(retained, m => Assert.True(m.Retain, $"message '{m.Text}' sent on subscribe should have RETAIN set"));
        return [.. retained.Select(m => m.Text)];
    }
}
