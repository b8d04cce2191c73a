using MqttCluster.Core.Delivery;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>CONNECT / CONNACK.</summary>
public sealed partial class MqttConnection
{
    private ushort _keepAliveSeconds;
    private uint _clientMaximumPacketSize;

    /// <summary>Waits for CONNECT (bounded by the connect timeout) and answers it; false ends the connection.</summary>
    private async Task<bool> ReceiveConnectAsync()
    {
        MqttPacket? packet;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_closing.Token))
        {
            timeout.CancelAfter(_services.Options.ConnectTimeout);
            try
            {
                packet = await _reader.ReadAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!_closing.IsCancellationRequested)
            {
                ConnectionLog.ConnectTimeout(_services.Logger, Endpoint, _services.Options.ConnectTimeout);
                return false;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            catch (MqttProtocolError error) when (error.ConnectRefusal is { } refusedWith)
            {
                ConnectionLog.ConnectRefused(_services.Logger, string.Empty, Endpoint, refusedWith);
                _sender.Start(ProtocolVersion);
                _sender.Send(CreateConnAck(refusedWith, new MqttConnectPacket(), assignedClientId: null));
                return false;
            }
            catch (MqttProtocolError error)
            {
                ConnectionLog.ProtocolViolation(_services.Logger, ClientId, Endpoint, error.ReasonCode, error.Message);
                await RefuseUnsupportedVersionAsync(error);
                return false;
            }
            catch (Exception exception) when (exception is IOException or Microsoft.AspNetCore.Connections.ConnectionResetException)
            {
                return false;
            }
        }

        if (packet is not MqttConnectPacket connect)
        {
            // Nothing to answer: the client never completed CONNECT [MQTT-3.1.0-1].
            return false;
        }

        _sender.Start(ProtocolVersion);
        Volatile.Write(ref _lastPacketTimestamp, _services.TimeProvider.GetTimestamp());

        var refusal = Validate(connect);
        if (refusal is { } code)
        {
            ConnectionLog.ConnectRefused(_services.Logger, connect.ClientId ?? string.Empty, Endpoint, code);
            _sender.Send(CreateConnAck(code, connect, assignedClientId: null));
            return false;
        }

        var assignedClientId = string.IsNullOrEmpty(connect.ClientId) ? $"auto-{Guid.NewGuid():N}" : null;
        _keepAliveSeconds = NegotiateKeepAlive(connect.KeepAlivePeriod);
        _sessionExpiry = NegotiateSessionExpiry(connect);
        if (IsV5 && connect.MaximumPacketSize != 0
            && PacketEncoding.SizeOf(BuildConnAck(MqttConnectReasonCode.Success, connect, assignedClientId), ProtocolVersion) > connect.MaximumPacketSize)
        {
            // [MQTT-3.1.2-24]: not even our CONNACK fits the client's Maximum Packet Size, so nothing can be sent.
            ConnectionLog.ProtocolViolation(_services.Logger, connect.ClientId ?? string.Empty, Endpoint, MqttDisconnectReasonCode.PacketTooLarge,
                $"Maximum Packet Size {connect.MaximumPacketSize} is smaller than the CONNACK [MQTT-3.1.2-24]; closed without CONNACK.");
            return false;
        }

        ClientId = assignedClientId ?? connect.ClientId;
        _will = connect.WillFlag ? ConnectPackets.Will(connect, ClientId) : null;
        if (!await AuthenticateAsync(connect))
        {
            return false;
        }

        _clientMaximumPacketSize = connect.MaximumPacketSize;
        _outboundAliases = new OutboundTopicAliases(IsV5 ? connect.TopicAliasMaximum : (ushort)0);

        var window = _services.Options.MaxInflightMessages;
        if (IsV5 && connect.ReceiveMaximum > 0)
        {
            window = Math.Min(window, connect.ReceiveMaximum);
        }

        var flowControl = _services.Options.SlowSubscribers == SlowSubscriberPolicy.PushBack
            ? new SubscriberFlowControl(Math.Max(window, _maxQueuedMessages / 2), _services.Options.PushBackGiveUpAfter, _services.TimeProvider)
            : SubscriberFlowControl.Off;
        _delivery = new SessionDelivery<PendingDelivery>(window, _maxQueuedMessages, flowControl, this, _services.TimeProvider);
        _forwarder = new InboundPublishForwarder(this, _services);

        // The session grain decides: it takes the client id over from any other connection, on any gateway.
        SessionConnectResult session;
        try
        {
            var request = CreateSessionRequest(connect);
            session = await Cluster.TransientClusterFailure.RetryIdempotentAsync(() => Session.ConnectAsync(request));
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionUnavailable(_services.Logger, ClientId, exception);
            _sender.Send(CreateConnAck(MqttConnectReasonCode.ServerUnavailable, connect, assignedClientId: null));
            return false;
        }

        _epoch = session.Epoch;
        if (!_services.Clients.Register(ClientId, _epoch, this))
        {
            // Another connection with this id arrived while we were connecting and already took over: there is
            // no CONNACK code for that, so this one just closes.
            ConnectionLog.SessionTakenOver(_services.ConnectionMessages, ClientId, Endpoint);
            return false;
        }

        lock (_outboundLock)
        {
            _delivery.Open();
        }

        _services.DepartedSessions.Forget(ClientId);

        try
        {
            // A resumed session's subscriptions go back in place before CONNACK: a message published once the
            // client has its CONNACK must find this gateway's route, not the offline session's (which queues no
            // QoS 0). What arrives meanwhile is held until the stored messages are sent.
            await _subscriptions.RestoreAsync(session.Subscriptions);
        }
        catch (Exception) when (Volatile.Read(ref _takenOver))
        {
            // Taken over before it was even acknowledged: no CONNACK, the connection just ends.
            return false;
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionUnavailable(_services.Logger, ClientId, exception);
            _sender.Send(CreateConnAck(MqttConnectReasonCode.ServerUnavailable, connect, assignedClientId: null));
            return false;
        }

        _established = true;
        _sessionPresent = session.SessionPresent;
        _sender.Send(CreateConnAck(MqttConnectReasonCode.Success, connect, assignedClientId, session.SessionPresent));
        ConnectionLog.Connected(_services.ConnectionMessages, ClientId, Endpoint, ProtocolVersion, connect.CleanSession, _keepAliveSeconds);

        // The client may publish as soon as it has CONNACK; the read loop starts now, beside the resume, so a
        // takeover that the session grain runs before it answers the resume still finds those packets handled.
        _resumed = ResumeAsync();
        return true;
    }

    /// <summary>Gives the client its stored messages; never faults (a failure closes the connection).</summary>
    private async Task ResumeAsync()
    {
        try
        {
            await ResumeStoredMessagesAsync();
        }
        catch (Exception) when (Volatile.Read(ref _takenOver))
        {
            // A newer CONNECT took the session over while this connection was restoring it [MQTT-3.1.4-3]: the
            // session grain no longer accepts this connection's epoch, and the takeover is already closing it.
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionUnavailable(_services.Logger, ClientId, exception);
            Close(MqttDisconnectReasonCode.ImplementationSpecificError);
        }
    }

    /// <summary>
    /// Checks the username and password (or client certificate) and the will topic against the ACL. A refusal is
    /// logged, answered after a delay (so guessing passwords is slow) and ends the connection.
    /// </summary>
    private async Task<bool> AuthenticateAsync(MqttConnectPacket connect)
    {
        var result = _services.Authenticator.Authenticate(
            _services.Listener.Credentials(ClientId, connect.Username, connect.Password, ClientCertificate, Endpoint));
        var code = result switch
        {
            { Accepted: false, BadCredentials: true } => MqttConnectReasonCode.BadUserNameOrPassword,
            { Accepted: false } => MqttConnectReasonCode.NotAuthorized,
            _ when _will is not null && !_services.Authorizer.For(result.Username, ClientId).CanPublish(_will.Topic) => MqttConnectReasonCode.NotAuthorized,
            _ => (MqttConnectReasonCode?)null,
        };
        if (code is null)
        {
            _username = result.Username;
            return true;
        }

        ConnectionLog.LoginRefused(_services.Logger, ClientId, connect.Username ?? "(anonymous)", Endpoint, code.Value);
        await Task.Delay(_services.Security.FailedLoginDelay, _services.TimeProvider, _closing.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _sender.Send(CreateConnAck(code.Value, connect, assignedClientId: null));
        return false;
    }

    private MqttConnectReasonCode? Validate(MqttConnectPacket connect)
    {
        var maxConnections = _services.Options.MaxConnections;
        if (maxConnections >= 0 && _services.Clients.Count >= maxConnections)
        {
            // Mqtt:MaxConnections reached on this node: v5 0x89 server busy, 3.1.1 0x03 server unavailable.
            return MqttConnectReasonCode.ServerBusy;
        }

        if (string.IsNullOrEmpty(connect.ClientId) && !connect.CleanSession && !IsV5)
        {
            // [MQTT-3.1.3-8]: a 3.1.1 client without an id must ask for a clean session.
            return MqttConnectReasonCode.ClientIdentifierNotValid;
        }

        if (connect.WillFlag)
        {
            if (TopicName.Validate(connect.WillTopic ?? string.Empty) != TopicValidationError.None)
            {
                return MqttConnectReasonCode.TopicNameInvalid;
            }

            if (connect.WillRetain && !_services.Options.RetainAvailable)
            {
                return MqttConnectReasonCode.RetainNotSupported;
            }
        }

        if (connect.AuthenticationMethod is { Length: > 0 })
        {
            // Enhanced authentication (AUTH exchanges) is not offered [MQTT-4.12.0-1].
            return MqttConnectReasonCode.BadAuthenticationMethod;
        }

        return null;
    }

    private ushort NegotiateKeepAlive(ushort requested)
    {
        var max = _services.Options.MaxKeepAlive;
        if (max == 0 || !IsV5)
        {
            return requested;
        }

        return requested == 0 || requested > max ? max : requested;
    }


    /// <summary>
    /// Every v5 CONNACK property is set on purpose: a new MqttConnAckPacket says maximum QoS 0, which makes v5
    /// clients refuse QoS 1/2.
    /// </summary>
    private MqttConnAckPacket CreateConnAck(MqttConnectReasonCode reason, MqttConnectPacket connect, string? assignedClientId, bool sessionPresent = false)
    {
        if (reason == MqttConnectReasonCode.Success)
        {
            _services.Metrics.ConnectionAccepted();
        }
        else
        {
            _services.Metrics.ConnectionRefused(reason.ToString());
        }

        return BuildConnAck(reason, connect, assignedClientId, sessionPresent);
    }

    private MqttConnAckPacket BuildConnAck(MqttConnectReasonCode reason, MqttConnectPacket connect, string? assignedClientId, bool sessionPresent = false)
    {
        var success = IsV5 && reason == MqttConnectReasonCode.Success;
        return ConnectPackets.ConnAck(
            reason,
            _services.Options,
            _services.Listener.MaximumQoS,
            assignedClientId,
            sessionPresent,
            // The broker capped the requested expiry or keep-alive: the client hears the value in force (3.2.2.3.2).
            grantedSessionExpiry: success && _sessionExpiry != connect.SessionExpiryInterval ? _sessionExpiry : null,
            serverKeepAlive: success && _keepAliveSeconds != connect.KeepAlivePeriod ? _keepAliveSeconds : null);
    }

    /// <summary>
    /// A CONNECT with a protocol level we do not speak gets the 3.1.1 refusal 0x01 before the connection closes
    /// [MQTT-3.1.2-2]; anything else malformed before CONNACK just closes.
    /// </summary>
    private async Task RefuseUnsupportedVersionAsync(MqttProtocolError error)
    {
        if (!error.IsUnsupportedProtocolVersion)
        {
            return;
        }

        // CONNACK, remaining length 2, no session present, return code 0x01.
        ReadOnlyMemory<byte> refusal = new byte[] { 0x20, 0x02, 0x00, 0x01 };
        await _transport.Transport.Output.WriteAsync(refusal);
    }
}
