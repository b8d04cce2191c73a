using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// An MQTT 5 client configured with a list of gateways, as devices are: when its gateway goes away (a DISCONNECT
/// such as 0x8B "server shutting down", or a dropped connection) it connects again by itself, to the next gateway of
/// the list and round the list until one accepts it, with the same client id and, for a persistent session, clean
/// start 0 and the same session expiry. Every connection change is recorded for the test's report.
/// </summary>
public sealed class FailoverClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<int> _ports;
    private readonly uint _sessionExpirySeconds;
    private readonly Channel<MqttClientDisconnectedEventArgs> _disconnects = Channel.CreateUnbounded<MqttClientDisconnectedEventArgs>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ConnectionEvent> _events = [];
    private Task _supervisor = Task.CompletedTask;
    private int _current;

    /// <param name="sessionExpirySeconds">0: a clean session on every connection; otherwise a persistent session
    /// that later connections resume (clean start 0).</param>
    public FailoverClient(string clientId, IReadOnlyList<int> ports, uint sessionExpirySeconds)
    {
        ClientId = clientId;
        _ports = ports;
        _sessionExpirySeconds = sessionExpirySeconds;
        Mqtt = new MqttClientFactory().CreateMqttClient();
        Mqtt.ApplicationMessageReceivedAsync += Inbox.OnReceivedAsync;
        Mqtt.DisconnectedAsync += args =>
        {
            // Failed connection attempts are reported here too; only the loss of a connection calls for a failover.
            if (args.ClientWasConnected)
            {
                _disconnects.Writer.TryWrite(args);
            }

            return Task.CompletedTask;
        };
    }

    public string ClientId { get; }

    public IMqttClient Mqtt { get; }

    public Inbox Inbox { get; } = new();

    /// <summary>Connections, disconnections (with the broker's reason) and failed attempts, in order.</summary>
    public IReadOnlyList<ConnectionEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>The first connection, to the first gateway of the list (a new session); failing over starts after it.</summary>
    public async Task ConnectAsync()
    {
        var result = await TryConnectAsync(_ports[0], cleanStart: true);
        Assert.True(result is { ResultCode: MqttClientConnectResultCode.Success }, $"'{ClientId}' could not connect to 127.0.0.1:{_ports[0]}: {Events.LastOrDefault()}");
        _supervisor = FailOverAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Mqtt.IsConnected)
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            await Mqtt.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        Mqtt.Dispose();
        _stop.Dispose();
    }

    private async Task FailOverAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var lost = await _disconnects.Reader.ReadAsync(_stop.Token);
            Record($"disconnected from :{_ports[_current]} ({lost.Reason}{(lost.ReasonString is { Length: > 0 } text ? $": {text}" : string.Empty)})", lost.Reason);
            var giveUp = TestClock.Now + GiveUpAfter;
            for (var attempt = 1; !_stop.IsCancellationRequested; attempt++)
            {
                var next = (_current + attempt) % _ports.Count;
                var result = await TryConnectAsync(_ports[next], cleanStart: _sessionExpirySeconds == 0);
                if (result is { ResultCode: MqttClientConnectResultCode.Success })
                {
                    _current = next;
                    break;
                }

                if (TestClock.Now > giveUp)
                {
                    Record($"gave up reconnecting after {GiveUpAfter.TotalSeconds:0} s");
                    return;
                }

                // Pacing between attempts at a gateway that is not there, not waiting for a condition.
                await Task.Delay(RetryPause, _stop.Token);
            }
        }
    }

    private async Task<MqttClientConnectResult?> TryConnectAsync(int port, bool cleanStart)
    {
        var options = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(ClientId)
            .WithTcpServer("127.0.0.1", port)
            .WithCleanStart(cleanStart)
            .WithSessionExpiryInterval(_sessionExpirySeconds)
            .WithTimeout(ConnectTimeout)
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(ConnectTimeout);
            var result = await Mqtt.ConnectAsync(options, timeout.Token);
            Record($"connected to :{port} ({result.ResultCode}, session present: {result.IsSessionPresent})", sessionPresent: result.IsSessionPresent, resumed: !cleanStart);
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            Record($"could not connect to :{port}: {exception.GetType().Name} {exception.Message}");
            return null;
        }
    }

    private void Record(string what, MqttClientDisconnectReason? reason = null, bool? sessionPresent = null, bool resumed = false)
    {
        lock (_events)
        {
            _events.Add(new ConnectionEvent(TestClock.Now, what, reason, resumed ? sessionPresent : null));
        }
    }
}
