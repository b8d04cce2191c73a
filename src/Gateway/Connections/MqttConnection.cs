using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections.Features;
using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The MQTT state machine of one client connection (TCP or WebSocket): CONNECT, keep-alive, QoS 0/1/2 in both
/// directions, subscriptions, will. Reads on one loop, writes through <see cref="MqttPacketSender"/>, forwards
/// publishes through <see cref="InboundPublishForwarder"/>; deliveries arrive from any thread.
/// </summary>
public sealed partial class MqttConnection : ISubscriber
{
    private readonly ConnectionContext _transport;
    private readonly GatewayServices _services;
    private readonly MqttPacketReader _reader;
    private readonly MqttPacketSender _sender;
    private readonly CancellationTokenSource _closing;
    private readonly ConnectionSubscriptions _subscriptions;
    private readonly InboundPublishes _inbound;
    private readonly OutboundPublishes _outbound;
    private MqttDisconnectReasonCode? _closeReason;
    private string? _closeDetail;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when no more packets of this connection will be handled (its read loop ended).</summary>
    private readonly TaskCompletionSource _receiving = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _established;
    private bool _sessionPresent;

    /// <summary>What CONNECT settled (client id, keep-alive, session expiry, will, ACL, limits).</summary>
    private AcceptedConnect _client;
    private long _lastPacketTimestamp;

    public MqttConnection(ConnectionContext transport, GatewayServices services)
    {
        _transport = transport;
        _services = services;
        _reader = new MqttPacketReader(transport.Transport.Input, services.Options.MaxPacketSize, services.Options.AllowControlCharacters, services.Listener.Packets);
        _sender = new MqttPacketSender(transport.Transport.Output, services.Listener.Packets.Mount);
        _subscriptions = new ConnectionSubscriptions(this, services);
        _inbound = new InboundPublishes(this, services, _sender, _reader);
        // Not linked to transport.ConnectionClosed: a client that sends PUBLISH + DISCONNECT and closes at once
        // must still have those packets read; the input pipe reports the end after the last buffered byte.
        _closing = CancellationTokenSource.CreateLinkedTokenSource(services.Stopping);
        _client = AcceptedConnect.Pending(services.Authorizer);
        Endpoint = RemoteAddress(transport) ?? transport.ConnectionId;
        _outbound = new OutboundPublishes(this, services, _sender, _client);
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

    private long NowUnixMilliseconds => _services.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The client's address; a WebSocket connection has none of its own, it is on the HTTP request.</summary>
    private static string? RemoteAddress(ConnectionContext transport)
    {
        if (transport.RemoteEndPoint is { } endPoint)
        {
            return endPoint.ToString();
        }

        var http = transport.Features.Get<IHttpContextFeature>()?.HttpContext?.Connection;
        return http?.RemoteIpAddress is { } address ? new System.Net.IPEndPoint(address, http.RemotePort).ToString() : null;
    }

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

            _receiving.TrySetResult();

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
        _closeReason ??= reason;
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

            Volatile.Write(ref _lastPacketTimestamp, _services.TimeProvider.GetTimestamp());
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
                await SubscribeAsync(subscribe);
                return true;
            case MqttUnsubscribePacket unsubscribe:
                await _inbound.WhenForwardedAsync();
                await UnsubscribeAsync(unsubscribe);
                return true;
            case MqttPingReqPacket:
                _sender.Send(MqttPingRespPacket.Instance);
                return true;
            case MqttDisconnectPacket disconnect:
                OnDisconnect(disconnect);
                return false;
            case MqttConnectPacket:
                throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "Second CONNECT on one connection [MQTT-3.1.0-2].");
            default:
                throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"Unexpected {packet.GetType().Name} from a client.");
        }
    }

    private void OnDisconnect(MqttDisconnectPacket disconnect)
    {
        // A normal DISCONNECT discards the will [MQTT-3.14.4-3]; v5 reason 0x04 asks for it to be published.
        _disconnectKind = IsV5 && disconnect.ReasonCode == MqttDisconnectReasonCode.DisconnectWithWillMessage
            ? DisconnectKind.WithWill
            : DisconnectKind.Normal;
        if (IsV5 && _reader.DisconnectSessionExpiry is { } expiry)
        {
            if (expiry != 0 && !_client.IsPersistent)
            {
                // [MQTT-3.14.2-2]: a session that was to end with the connection cannot be extended at DISCONNECT.
                _disconnectKind = DisconnectKind.Lost;
                throw new Transport.MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "DISCONNECT sets a session expiry on a session created with expiry 0 [MQTT-3.14.2-2].");
            }

            // Including 0: the session ends when this connection closes (3.14.2.2.2).
            _disconnectSessionExpiry = expiry;
        }

        ConnectionLog.Disconnected(_services.ConnectionMessages, ClientId, Endpoint, disconnect.ReasonCode);
    }

    private void RejectPacket(MqttProtocolError error)
    {
        ConnectionLog.ProtocolViolation(_services.Logger, ClientId, Endpoint, error.ReasonCode, error.Message);
        _closeReason ??= error.ReasonCode;
        _closeDetail ??= error.Message;
    }

    /// <summary>Whether the client went silent for one and a half keep-alive periods [MQTT-3.1.2-22] or stopped
    /// taking its packets; asked by the <see cref="KeepAliveSweep"/>.</summary>
    internal bool IsUnresponsive() => IsSilent || IsSlowConsumer;

    private bool IsSilent => _client.KeepAliveSeconds > 0
        && _services.TimeProvider.GetElapsedTime(Volatile.Read(ref _lastPacketTimestamp)) > TimeSpan.FromSeconds(_client.KeepAliveSeconds * 1.5);

    private bool IsSlowConsumer => _sender.StalledFor > _services.Options.SlowConsumerTimeout;

    /// <summary>Closes a client that <see cref="IsUnresponsive"/> found silent or not taking its packets, if it still
    /// is (a packet may have come since); false when it recovered and stays open.</summary>
    internal bool CloseUnresponsive()
    {
        if (IsSilent)
        {
            ConnectionLog.KeepAliveExpired(_services.ConnectionMessages, ClientId, Endpoint, _client.KeepAliveSeconds);
            Close(MqttDisconnectReasonCode.KeepAliveTimeout);
            return true;
        }

        if (IsSlowConsumer)
        {
            ConnectionLog.SlowConsumer(_services.Logger, ClientId, Endpoint, _sender.QueuedCount, _services.Options.SlowConsumerTimeout);
            Close(MqttDisconnectReasonCode.QuotaExceeded);
            return true;
        }

        return false;
    }

    private async Task ShutdownAsync()
    {
        if (Volatile.Read(ref _takeover) is { } takeover)
        {
            // A takeover let this connection's last packets take effect; it ends the session's part here.
            await takeover.Task;
        }

        var serverInitiated = _closeReason is not null || _services.Stopping.IsCancellationRequested;
        if (_services.Stopping.IsCancellationRequested)
        {
            _closeReason ??= MqttDisconnectReasonCode.ServerShuttingDown;
        }

        await _inbound.CompleteAsync();

        if (_established && IsV5 && serverInitiated && _closeReason is { } reason)
        {
            // [MQTT-4.13.2-1] a v5 client hears why; the reason code goes out before the socket closes.
            // The reason string tells a developer what went wrong (3.14.2.2.3).
            _sender.Send(new MqttDisconnectPacket { ReasonCode = reason, ReasonString = _closeDetail });
        }

        var sent = _sender.CompleteAsync();
        await sent.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The broker ends this connection (the client neither sent DISCONNECT nor closed): it may still be writing,
        // and must get to read what we sent last before the socket closes.
        var drain = sent.IsCompleted && !_reader.InputEnded && _disconnectKind is not (DisconnectKind.Normal or DisconnectKind.WithWill)
            ? ClosingDrain.DrainAsync(_transport.Transport.Input, ClosingDrain.Linger, ClosingDrain.Quiet)
            : Task.CompletedTask;

        if (_epoch != 0)
        {
            // The hand-back says whether the resume reached the client, so it waits for the resume's answer.
            await _resumed;
            await EndSessionAsync();
        }

        await drain;
        if (sent.IsCompleted)
        {
            // Complete, not abort: the transport still holds what was just written (the final DISCONNECT, a
            // refusing CONNACK) and aborting would drop it; completing sends it, then closes the socket.
            await _transport.Transport.Output.CompleteAsync();
            await _transport.Transport.Input.CompleteAsync();

            // The transport (a WebSocket in particular) still has to write what we completed; wait for it, so a
            // shutdown that follows does not cut the final DISCONNECT off.
            await WaitForTransportClosedAsync(TimeSpan.FromSeconds(2));
        }
        else
        {
            // The client stopped reading; nothing more will reach it.
            _transport.Abort();
        }

        _closing.Dispose();
        _completion.TrySetResult();
    }

    private async Task WaitForTransportClosedAsync(TimeSpan timeout)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = _transport.ConnectionClosed.Register(() => closed.TrySetResult());
        await closed.Task.WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
