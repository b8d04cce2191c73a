using Microsoft.AspNetCore.Connections;
using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// One client connection (TCP or WebSocket): reads its packets on one loop and hands each to the part whose job it is
/// (CONNECT: <see cref="ConnectHandshake"/>; PUBLISH from and to the client: <see cref="InboundPublishes"/>,
/// <see cref="OutboundPublishes"/>; SUBSCRIBE: <see cref="SubscriptionRequests"/>). It claims the session, hands it
/// back or over when it ends (<see cref="SessionHandback"/>) and closes. Deliveries arrive from any thread.
/// </summary>
public sealed partial class MqttConnection : ISubscriber, IKeepAliveTarget
{
    private readonly ConnectionContext _transport;
    private readonly GatewayServices _services;
    private readonly MqttPacketReader _reader;
    private readonly MqttPacketSender _sender;
    private readonly CancellationTokenSource _closing;
    private readonly ConnectionSubscriptions _subscriptions;
    private readonly SubscriptionRequests _subscriptionRequests;
    private readonly InboundPublishes _inbound;
    private readonly OutboundPublishes _outbound;
    private readonly ConnectionEnding _ending = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when no more packets of this connection will be handled (its read loop ended).</summary>
    private readonly TaskCompletionSource _receiving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _established;

    /// <summary>What CONNECT settled (client id, keep-alive, session expiry, will, ACL, limits).</summary>
    private AcceptedConnect _client;
    private readonly ClientLiveness _liveness;

    public MqttConnection(ConnectionContext transport, GatewayServices services)
    {
        _transport = transport;
        _services = services;
        _reader = new MqttPacketReader(transport.Transport.Input, services.Options.MaxPacketSize, services.Options.AllowControlCharacters, services.Listener.Packets);
        _sender = new MqttPacketSender(transport.Transport.Output, services.Listener.Packets.Mount);
        _subscriptions = new ConnectionSubscriptions(this, services);
        _liveness = new ClientLiveness(services.TimeProvider, _sender, services.Options.SlowConsumerTimeout);
        _inbound = new InboundPublishes(this, services, _sender, _reader);
        // Not linked to transport.ConnectionClosed: a client that sends PUBLISH + DISCONNECT and closes at once
        // must still have those packets read; the input pipe reports the end after the last buffered byte.
        _closing = CancellationTokenSource.CreateLinkedTokenSource(services.Stopping);
        _client = AcceptedConnect.Pending(services.Authorizer);
        Endpoint = ConnectionTransport.RemoteAddress(transport) ?? transport.ConnectionId;
        _outbound = new OutboundPublishes(this, services, _sender, _client);
        _subscriptionRequests = new SubscriptionRequests(this, services, _subscriptions, _outbound, _sender);
    }

    public string ClientId { get; private set; } = string.Empty;

    /// <summary>Completes when the connection is fully closed and its session handed back.</summary>
    public Task Completion => _completion.Task;

    public string Endpoint { get; }

    /// <summary>QoS 1/2 messages sent and not yet acknowledged (a gauge: read without the lock).</summary>
    public int InflightCount => _outbound.InflightCount;

    /// <summary>Messages waiting for the in-flight window or the socket (a gauge: read without the lock).</summary>
    public int QueuedCount => _outbound.QueuedCount;

    /// <summary>The connection's subscriptions, for administrators.</summary>
    public SessionSubscription[] Subscriptions => _subscriptions.Describe();

    /// <inheritdoc />
    public bool IsCongested => _outbound.IsCongested;

    /// <inheritdoc />
    public Task WhenRelieved() => _outbound.WhenRelieved();

    public MqttProtocolVersion ProtocolVersion => _reader.ProtocolVersion;

    private bool IsV5 => ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>Serves the connection until the client or the broker ends it.</summary>
    public async Task RunAsync()
    {
        using var scope = _services.Logger.BeginScope(new ConnectionLogScope(_transport.ConnectionId, this));
        try
        {
            if (!await ReceiveConnectAsync())
            {
                return;
            }

            _services.KeepAlive.Watch(this);
            try
            {
                await ReceiveLoopAsync();
            }
            finally
            {
                _services.KeepAlive.Forget(this);
            }

            // The read side is done (DISCONNECT, protocol violation, end of stream): wake what still waits on the
            // connection, so it closes now [MQTT-4.8.0-1].
            SignalClosing();
        }
        finally
        {
            _receiving.TrySetResult();
            await ShutdownAsync();
        }
    }

    /// <summary>Ends the connection from the broker's side (takeover, keep-alive timeout, shutdown).</summary>
    public void Close(MqttDisconnectReasonCode reason)
    {
        _ending.CloseWith(reason);
        SignalClosing();
    }

    /// <summary>Wakes everything that waits on the connection (the read loop, the keep-alive watch).</summary>
    private void SignalClosing()
    {
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_closing.IsCancellationRequested)
        {
            MqttPacket? packet;
            try
            {
                packet = await _reader.ReadAsync(_closing.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (MqttProtocolError error)
            {
                RejectPacket(error);
                return;
            }
            catch (Exception exception) when (exception is IOException or ConnectionResetException or ConnectionAbortedException)
            {
                ConnectionLog.ConnectionLost(_services.ConnectionMessages, ClientId, Endpoint, exception.Message);
                return;
            }

            if (packet is null)
            {
                if (Volatile.Read(ref _takeover) is not null)
                {
                    // Taken over: what had arrived is handled (StopAfterBuffered), the rest belongs to nobody.
                    return;
                }

                ConnectionLog.ConnectionLost(_services.ConnectionMessages, ClientId, Endpoint, "closed by the client without DISCONNECT");
                return;
            }

            _liveness.PacketReceived();
            try
            {
                if (!await HandlePacketAsync(packet))
                {
                    return;
                }
            }
            catch (MqttProtocolError error)
            {
                RejectPacket(error);
                return;
            }
        }
    }

    /// <summary>Handles one packet after CONNECT; false ends the connection.</summary>
    private async ValueTask<bool> HandlePacketAsync(MqttPacket packet)
    {
        switch (packet)
        {
            case MqttPublishPacket publish:
                if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce)
                {
                    // Its packet id may be one the previous connection received (restored by the resume) [MQTT-4.3.3-10].
                    await _resumed;
                }

                await _inbound.ReceiveAsync(publish, _client, _closing.Token);
                return true;
            case MqttPubAckPacket pubAck:
                _outbound.OnPubAck(pubAck);
                return true;
            case MqttPubRecPacket pubRec:
                _outbound.OnPubRec(pubRec);
                return true;
            case MqttPubRelPacket pubRel:
                await _resumed;
                _inbound.Release(pubRel.PacketIdentifier);
                return true;
            case MqttPubCompPacket pubComp:
                _outbound.OnPubComp(pubComp);
                return true;
            case MqttSubscribePacket subscribe:
                // Packets take effect in the order they were sent: a retained PUBLISH just before must be stored
                // before this SUBSCRIBE looks for retained messages, and reach the new subscription as retained.
                await _inbound.WhenForwardedAsync();
                await _subscriptionRequests.SubscribeAsync(subscribe, _client, _epoch);
                return true;
            case MqttUnsubscribePacket unsubscribe:
                await _inbound.WhenForwardedAsync();
                await _subscriptionRequests.UnsubscribeAsync(unsubscribe, _client, _epoch);
                return true;
            case MqttPingReqPacket:
                _sender.Send(MqttPingRespPacket.Instance);
                return true;
            case MqttDisconnectPacket disconnect:
                _ending.OnDisconnect(disconnect, IsV5, _reader.DisconnectSessionExpiry, _client.IsPersistent);
                ConnectionLog.Disconnected(_services.ConnectionMessages, ClientId, Endpoint, disconnect.ReasonCode);
                return false;
            case MqttConnectPacket:
                throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "Second CONNECT on one connection [MQTT-3.1.0-2].");
            default:
                throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"Unexpected {packet.GetType().Name} from a client.");
        }
    }

    private void RejectPacket(MqttProtocolError error)
    {
        ConnectionLog.ProtocolViolation(_services.Logger, ClientId, Endpoint, error.ReasonCode, error.Message);
        _ending.CloseWith(error.ReasonCode, error.Message);
    }

    TimeSpan? IKeepAliveTarget.CloseIfUnresponsive()
    {
        switch (_liveness.Check(_client.KeepAliveSeconds))
        {
            case Unresponsiveness.Silent:
                ConnectionLog.KeepAliveExpired(_services.ConnectionMessages, ClientId, Endpoint, _client.KeepAliveSeconds);
                Close(MqttDisconnectReasonCode.KeepAliveTimeout);
                return null;
            case Unresponsiveness.SlowConsumer:
                ConnectionLog.SlowConsumer(_services.Logger, ClientId, Endpoint, _sender.QueuedCount, _services.Options.SlowConsumerTimeout);
                Close(MqttDisconnectReasonCode.QuotaExceeded);
                return null;
            default:
                return _liveness.UntilNextCheck(_client.KeepAliveSeconds);
        }
    }

    private async Task ShutdownAsync()
    {
        if (Volatile.Read(ref _takeover) is { } takeover)
        {
            // A takeover let this connection's last packets take effect; it ends the session's part here.
            await takeover.Task;
        }

        var serverInitiated = _ending.CloseReason is not null || _services.Stopping.IsCancellationRequested;
        if (_services.Stopping.IsCancellationRequested)
        {
            _ending.CloseWith(MqttDisconnectReasonCode.ServerShuttingDown);
        }

        await _inbound.CompleteAsync();

        if (_established && IsV5 && serverInitiated && _ending.CloseReason is { } reason)
        {
            // [MQTT-4.13.2-1] a v5 client hears why; the reason code goes out before the socket closes.
            // The reason string tells a developer what went wrong (3.14.2.2.3).
            _sender.Send(new MqttDisconnectPacket { ReasonCode = reason, ReasonString = _ending.CloseDetail });
        }

        var sent = _sender.CompleteAsync();
        await sent.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The broker ends this connection (the client neither sent DISCONNECT nor closed): it may still be writing,
        // and must get to read what we sent last before the socket closes.
        var drain = sent.IsCompleted && !_reader.InputEnded && !_ending.ByClient
            ? ClosingDrain.DrainAsync(_transport.Transport.Input, ClosingDrain.Linger, ClosingDrain.Quiet)
            : Task.CompletedTask;

        if (_epoch != 0)
        {
            // The hand-back says whether the resume reached the client, so it waits for the resume's answer.
            await _resumed;
            await EndSessionAsync();
        }

        await drain;
        await ConnectionTransport.CloseAsync(_transport, sent.IsCompleted);
        _closing.Dispose();
        _completion.TrySetResult();
    }
}
