using System.Text;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>An MQTTnet v5 client that records what it receives and how its connection ended.</summary>
public sealed class RecordingMqttClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<MqttClientDisconnectedEventArgs> _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private RecordingMqttClient()
    {
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite($"{e.ApplicationMessage.Topic} {Encoding.UTF8.GetString(e.ApplicationMessage.Payload)}");
            return Task.CompletedTask;
        };
        Mqtt.DisconnectedAsync += e =>
        {
            _disconnected.TrySetResult(e);
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }

    /// <summary>The CONNACK's result code (MQTTnet 5 returns a refusal rather than throwing).</summary>
    public MqttClientConnectResultCode ConnectResultCode { get; private set; }

    public Task<MqttClientDisconnectedEventArgs> Disconnected => _disconnected.Task;

    /// <summary>Connects (clean start) and returns the client whatever the broker answered.</summary>
    public static Task<RecordingMqttClient> ConnectAsync(BrokerProcess broker, string username, string password, string clientId) =>
        ConnectAsync(broker, clientId, o => o.WithCredentials(username, password));

    /// <summary>Connects without username and password.</summary>
    public static Task<RecordingMqttClient> ConnectAnonymousAsync(BrokerProcess broker, string clientId) =>
        ConnectAsync(broker, clientId, _ => { });

    private static async Task<RecordingMqttClient> ConnectAsync(BrokerProcess broker, string clientId, Action<MqttClientOptionsBuilder> login)
    {
        var client = new RecordingMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TcpPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart()
            .WithTimeout(Timeout);
        login(options);
        using var timeout = new CancellationTokenSource(Timeout);
        client.ConnectResultCode = (await client.Mqtt.ConnectAsync(options.Build(), timeout.Token)).ResultCode;

        return client;
    }

    /// <summary>The next message as "topic payload", or a failure naming what was awaited.</summary>
    public async Task<string> NextAsync(string what)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Nothing was received within {Timeout.TotalSeconds} s: {what}.");
        }
    }

    public async Task<MqttClientDisconnectedEventArgs> WaitDisconnectedAsync(string what)
    {
        try
        {
            return await Disconnected.WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The connection was not closed within {Timeout.TotalSeconds} s: {what}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Mqtt.IsConnected)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await Mqtt.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
        }

        Mqtt.Dispose();
    }
}
