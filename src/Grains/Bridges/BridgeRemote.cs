using System.Threading.Channels;
using MQTTnet;
using MQTTnet.LowLevelClient;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// One connection of a bridge to its remote broker (a new one per attempt), MQTT packets over MQTTnet's low-level
/// client (its TCP/TLS channel and packet codec): CONNECT and CONNACK, the remote subscriptions, keep-alive, one writer
/// that sends packets in the order they were given, and one reader. The reader hands PUBLISH and PUBREL from the
/// remote to the <see cref="BridgeIncomingSession"/> (one at a time, in order, sending its answer) and the remote's
/// acknowledgements of what the bridge sent to <see cref="Acknowledgements"/>. Started from the grain, its loops run
/// on the grain's scheduler, where the sessions live.
/// </summary>
internal sealed class BridgeRemote : IAsyncDisposable
{
    private readonly BridgeOptions _options;
    private readonly BridgeIncomingSession _incoming;
    private readonly Func<MqttPublishPacket, Task> _publishHere;
    private readonly Func<Task> _store;
    private readonly TimeProvider _timeProvider;
    private readonly ILowLevelMqttClient _client = new MqttClientFactory().CreateLowLevelMqttClient();
    private readonly Channel<MqttPacket> _outgoing = Channel.CreateUnbounded<MqttPacket>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<MqttPacket> _acknowledgements = Channel.CreateUnbounded<MqttPacket>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<ushort, TaskCompletionSource<MqttPacket>> _requests = [];
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private Task _loops = Task.CompletedTask;
    private long _lastReceived;
    private TimeSpan _keepAlive;

    public BridgeRemote(BridgeOptions options, BridgeIncomingSession incoming, Func<MqttPublishPacket, Task> publishHere, Func<Task> store, TimeProvider timeProvider)
    {
        (_options, _incoming, _publishHere, _store, _timeProvider) = (options, incoming, publishHere, store, timeProvider);
    }

    public bool IsMqtt5 => _options.ProtocolVersion == BridgeProtocolVersion.Mqtt50;

    /// <summary>How many QoS 1/2 messages may await the remote's acknowledgement at once on this connection.</summary>
    public int SendWindow { get; private set; } = 1;

    /// <summary>Whether the remote still had the bridge's session (CONNACK).</summary>
    public bool SessionPresent { get; private set; }

    /// <summary>Completes when an established connection ends; <see cref="LostReason"/> says why.</summary>
    public Task Lost => _lost.Task;

    public string LostReason { get; private set; } = "";

    /// <summary>PUBACK, PUBREC and PUBCOMP from the remote, in the order they came.</summary>
    public ChannelReader<MqttPacket> Acknowledgements => _acknowledgements.Reader;

    /// <summary>Opens the channel to <paramref name="address"/> and connects; throws when the remote refuses.</summary>
    public async Task ConnectAsync(string address, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(BridgeRemoteOptions.Timeout);
        await _client.ConnectAsync(BridgeRemoteOptions.Channel(_options, address), timeout.Token);
        await _client.SendAsync(BridgeRemoteOptions.Connect(_options), timeout.Token);
        var answer = await _client.ReceiveAsync(timeout.Token);
        if (answer is not MqttConnAckPacket connAck)
        {
            throw new InvalidOperationException($"the remote answered CONNECT with {answer?.ToString() ?? "a closed connection"}");
        }

        var accepted = IsMqtt5 ? connAck.ReasonCode == MqttConnectReasonCode.Success : connAck.ReturnCode == MqttConnectReturnCode.ConnectionAccepted;
        if (!accepted)
        {
            throw new InvalidOperationException($"the remote refused the connection ({(IsMqtt5 ? connAck.ReasonCode.ToString() : connAck.ReturnCode.ToString())})");
        }

        // The remote's Receive Maximum (MQTT 5; 0 when it sent none) bounds what may await its acknowledgement.
        SendWindow = IsMqtt5 && connAck.ReceiveMaximum > 0 ? Math.Min(_options.MaxInflightMessages, connAck.ReceiveMaximum) : _options.MaxInflightMessages;
        SessionPresent = connAck.IsSessionPresent;

        // The remote's Server Keep Alive replaces the one asked for [MQTT-3.2.2-21].
        _keepAlive = IsMqtt5 && connAck.ServerKeepAlive > 0 ? TimeSpan.FromSeconds(connAck.ServerKeepAlive) : _options.KeepAliveInterval;
        _incoming.Resume(SessionPresent);
        _lastReceived = _timeProvider.GetTimestamp();
        _loops = Task.WhenAll(ReadAsync(), WriteAsync(), KeepAliveAsync());
    }

    /// <summary>
    /// Sets up the remote side: unsubscribes outgoing-only topics (when configured) and subscribes incoming ones,
    /// with identifiers from <paramref name="ids"/>. Throws when the remote refuses.
    /// </summary>
    public async Task SubscribeAsync(BridgeRoutes routes, BridgePacketIds ids, CancellationToken cancellationToken)
    {
        if (_options.AttemptUnsubscribe && routes.OutgoingOnlyRemoteFilters.Length > 0)
        {
            await RequestAsync(ids, new MqttUnsubscribePacket { TopicFilters = [.. routes.OutgoingOnlyRemoteFilters] }, cancellationToken);
        }

        if (routes.RemoteSubscriptions.Length == 0)
        {
            return;
        }

        // MQTT 5: no-local keeps our own messages from coming back, retain-as-published keeps their flag
        // [MQTT-3.8.3-3, MQTT-3.8.3-4]; MQTT 3.1.1 bridges get both from the bridge bit (try_private).
        var subscribe = new MqttSubscribePacket
        {
            TopicFilters = [.. routes.RemoteSubscriptions.Select(s => new MqttTopicFilter
            {
                Topic = s.Filter,
                QualityOfServiceLevel = (MqttQualityOfServiceLevel)s.Qos,
                NoLocal = IsMqtt5,
                RetainAsPublished = IsMqtt5,
            })],
        };
        var subAck = (MqttSubAckPacket)await RequestAsync(ids, subscribe, cancellationToken);
        var refused = subAck.ReasonCodes.FindIndex(c => (int)c >= 0x80);
        if (refused >= 0)
        {
            throw new InvalidOperationException($"the remote refused the subscription to '{subscribe.TopicFilters[refused].Topic}' ({subAck.ReasonCodes[refused]})");
        }
    }

    /// <summary>Queues a packet for the writer; false once the connection is closing.</summary>
    public bool Send(MqttPacket packet) => _outgoing.Writer.TryWrite(packet);

    /// <summary>
    /// Ends the connection cleanly: <paramref name="goodbye"/> (the "down" notification: the remote discards the will
    /// on DISCONNECT) and DISCONNECT after everything queued, then waits for the writer.
    /// </summary>
    public async Task DisconnectAsync(MqttPublishPacket? goodbye, CancellationToken cancellationToken)
    {
        if (Lost.IsCompleted)
        {
            return;
        }

        if (goodbye is not null)
        {
            Send(goodbye);
        }

        Send(new MqttDisconnectPacket());
        _outgoing.Writer.TryComplete();
        await Task.WhenAny(_loops, Lost).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _outgoing.Writer.TryComplete();
        await _closing.CancelAsync();
        _client.Dispose();
        await _loops.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        _closing.Dispose();
    }

    private async Task<MqttPacket> RequestAsync(BridgePacketIds ids, MqttPacketWithIdentifier request, CancellationToken cancellationToken)
    {
        var id = ids.Take();
        var answer = new TaskCompletionSource<MqttPacket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = answer;
        try
        {
            request.PacketIdentifier = id;
            Send(request);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(BridgeRemoteOptions.Timeout);
            await Task.WhenAny(answer.Task, Lost).WaitAsync(timeout.Token);
            return answer.Task.IsCompleted ? await answer.Task : throw new InvalidOperationException($"the connection was lost: {LostReason}");
        }
        finally
        {
            _requests.Remove(id);
            ids.Release(id);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            while (true)
            {
                var packet = await _client.ReceiveAsync(_closing.Token) ?? throw new InvalidOperationException("the remote closed the connection");
                _lastReceived = _timeProvider.GetTimestamp();
                switch (packet)
                {
                    case MqttPublishPacket or MqttPubRelPacket:
                        if (await _incoming.ReceiveAsync(packet, _publishHere, _store) is { } answer)
                        {
                            Send(answer);
                        }

                        break;
                    case MqttPubAckPacket or MqttPubRecPacket or MqttPubCompPacket:
                        _acknowledgements.Writer.TryWrite(packet);
                        break;
                    case MqttSubAckPacket or MqttUnsubAckPacket:
                        if (_requests.TryGetValue(((MqttPacketWithIdentifier)packet).PacketIdentifier, out var request))
                        {
                            request.TrySetResult(packet);
                        }

                        break;
                    case MqttPingRespPacket:
                        break;
                    case MqttDisconnectPacket disconnect:
                        throw new InvalidOperationException($"the remote disconnected the bridge ({disconnect.ReasonCode})");
                    default:
                        throw new InvalidOperationException($"the remote sent an unexpected {packet}");
                }
            }
        }
        catch (Exception exception)
        {
            Close(exception.Message);
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync(_closing.Token))
            {
                while (_outgoing.Reader.TryRead(out var packet))
                {
                    await _client.SendAsync(packet, _closing.Token);
                }
            }
        }
        catch (Exception exception)
        {
            Close(exception.Message);
        }
    }

    /// <summary>
    /// PINGREQ every keep-alive interval; a remote silent for one and a half intervals is gone (the limit a server
    /// applies to its clients [MQTT-3.1.2-24], used here the other way).
    /// </summary>
    private async Task KeepAliveAsync()
    {
        var interval = _keepAlive;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            while (!Lost.IsCompleted)
            {
                await Task.Delay(interval, _timeProvider, _closing.Token);
                if (_timeProvider.GetElapsedTime(_lastReceived) > interval * 1.5)
                {
                    Close($"no packet from the remote for {interval.TotalSeconds * 1.5} s (keep-alive)");
                    return;
                }

                Send(new MqttPingReqPacket());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Close(string reason)
    {
        if (_lost.Task.IsCompleted)
        {
            return;
        }

        LostReason = reason;
        _outgoing.Writer.TryComplete();
        _acknowledgements.Writer.TryComplete();
        _lost.TrySetResult();
        _closing.Cancel();
    }
}
