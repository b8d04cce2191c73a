using Microsoft.AspNetCore.Connections;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Transport;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The CONNECT / CONNACK exchange of one connection: waits for CONNECT within the connect timeout, checks it,
/// negotiates keep-alive, session expiry and the in-flight window, authenticates the client (password or
/// certificate, and the will topic against the ACL) and answers. What it settles is an <see cref="AcceptedConnect"/>;
/// claiming the session is the connection's, which then answers with <see cref="Accept"/> or <see cref="Refuse"/>.
/// </summary>
internal sealed class ConnectHandshake(ConnectionContext transport, GatewayServices services, MqttPacketReader reader, MqttPacketSender sender, string endpoint)
{
    private MqttConnectPacket _connect = new();
    private AcceptedConnect? _accepted;
    private string? _assignedClientId;

    private bool IsV5 => reader.ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>Reads and checks CONNECT; null ends the connection (a refusal was answered where MQTT has one).
    /// <paramref name="identified"/> hears the client id as soon as it is known (for the connection's log scope).</summary>
    public async Task<AcceptedConnect?> ReceiveAsync(Action<string> identified, CancellationToken closing)
    {
        if (await ReadConnectAsync(closing) is not { } connect)
        {
            return null;
        }

        _connect = connect;
        sender.Start(reader.ProtocolVersion);
        if (Validate(connect) is { } refusal)
        {
            ConnectionLog.ConnectRefused(services.Logger, connect.ClientId ?? string.Empty, endpoint, refusal);
            Refuse(refusal);
            return null;
        }

        _assignedClientId = string.IsNullOrEmpty(connect.ClientId) ? $"auto-{Guid.NewGuid():N}" : null;
        var clientId = _assignedClientId ?? connect.ClientId;
        identified(clientId);
        var keepAlive = NegotiateKeepAlive(connect.KeepAlivePeriod);
        var sessionExpiry = NegotiateSessionExpiry(connect);
        if (IsV5 && connect.MaximumPacketSize != 0
            && PacketEncoding.SizeOf(BuildConnAck(MqttConnectReasonCode.Success, _assignedClientId, false, sessionExpiry, keepAlive), reader.ProtocolVersion) > connect.MaximumPacketSize)
        {
            // [MQTT-3.1.2-24]: not even our CONNACK fits the client's Maximum Packet Size, so nothing can be sent.
            ConnectionLog.ProtocolViolation(services.Logger, connect.ClientId ?? string.Empty, endpoint, MqttDisconnectReasonCode.PacketTooLarge,
                $"Maximum Packet Size {connect.MaximumPacketSize} is smaller than the CONNACK [MQTT-3.1.2-24]; closed without CONNACK.");
            return null;
        }

        var will = connect.WillFlag ? ConnectPackets.Will(connect, clientId) : null;
        if (await AuthenticateAsync(connect, clientId, will, closing) is not { } access)
        {
            return null;
        }

        var window = services.Options.MaxInflightMessages;
        if (IsV5 && connect.ReceiveMaximum > 0)
        {
            window = Math.Min(window, connect.ReceiveMaximum);
        }

        return _accepted = new AcceptedConnect(
            clientId,
            connect.CleanSession,
            keepAlive,
            sessionExpiry,
            will,
            IsV5 ? connect.WillDelayInterval : 0,
            IsV5 ? connect.WillMessageExpiryInterval : 0,
            access,
            connect.MaximumPacketSize,
            IsV5 ? connect.TopicAliasMaximum : (ushort)0,
            window);
    }

    /// <summary>Answers the accepted CONNECT: the session is claimed.</summary>
    public void Accept(bool sessionPresent)
    {
        var accepted = _accepted ?? throw new InvalidOperationException("CONNECT was not accepted.");
        services.Metrics.ConnectionAccepted();
        sender.Send(BuildConnAck(MqttConnectReasonCode.Success, _assignedClientId, sessionPresent, accepted.SessionExpiry, accepted.KeepAliveSeconds));
        ConnectionLog.Connected(services.ConnectionMessages, accepted.ClientId, endpoint, reader.ProtocolVersion, _connect.CleanSession, accepted.KeepAliveSeconds);
    }

    /// <summary>Refuses the CONNECT with <paramref name="reason"/>.</summary>
    public void Refuse(MqttConnectReasonCode reason)
    {
        services.Metrics.ConnectionRefused(reason.ToString());
        sender.Send(BuildConnAck(reason, assignedClientId: null, sessionPresent: false, sessionExpiry: 0, keepAlive: 0));
    }

    private async Task<MqttConnectPacket?> ReadConnectAsync(CancellationToken closing)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closing);
        timeout.CancelAfter(services.Options.ConnectTimeout);
        try
        {
            // Anything else first: nothing to answer, the client never completed CONNECT [MQTT-3.1.0-1].
            return await reader.ReadAsync(timeout.Token) as MqttConnectPacket;
        }
        catch (OperationCanceledException) when (!closing.IsCancellationRequested)
        {
            ConnectionLog.ConnectTimeout(services.Logger, endpoint, services.Options.ConnectTimeout);
        }
        catch (OperationCanceledException)
        {
        }
        catch (MqttProtocolError error) when (error.ConnectRefusal is { } refusedWith)
        {
            ConnectionLog.ConnectRefused(services.Logger, string.Empty, endpoint, refusedWith);
            sender.Start(reader.ProtocolVersion);
            Refuse(refusedWith);
        }
        catch (MqttProtocolError error)
        {
            ConnectionLog.ProtocolViolation(services.Logger, string.Empty, endpoint, error.ReasonCode, error.Message);
            await RefuseUnsupportedVersionAsync(error);
        }
        catch (Exception exception) when (exception is IOException or ConnectionResetException)
        {
        }

        return null;
    }

    /// <summary>
    /// Checks the username and password (or client certificate) and the will topic against the ACL; returns what the
    /// client may do, or null. A refusal is logged, answered after a delay (so guessing passwords is slow) and ends
    /// the connection.
    /// </summary>
    private async Task<ClientAccess?> AuthenticateAsync(MqttConnectPacket connect, string clientId, Grains.BrokerMessage? will, CancellationToken closing)
    {
        var result = services.Authenticator.Authenticate(
            services.Listener.Credentials(clientId, connect.Username, connect.Password, ClientCertificate, endpoint));
        var access = new ClientAccess(services.Authorizer, result.Username, clientId);
        var code = result switch
        {
            { Accepted: false, BadCredentials: true } => MqttConnectReasonCode.BadUserNameOrPassword,
            { Accepted: false } => MqttConnectReasonCode.NotAuthorized,
            _ when will is not null && !access.CanPublish(will.Topic) => MqttConnectReasonCode.NotAuthorized,
            _ => (MqttConnectReasonCode?)null,
        };
        if (code is null)
        {
            return access;
        }

        ConnectionLog.LoginRefused(services.Logger, clientId, connect.Username ?? "(anonymous)", endpoint, code.Value);
        await Task.Delay(services.Security.FailedLoginDelay, services.TimeProvider, closing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Refuse(code.Value);
        return null;
    }

    /// <summary>The TLS client certificate, from the TCP connection or the WebSocket's HTTP connection.</summary>
    private System.Security.Cryptography.X509Certificates.X509Certificate2? ClientCertificate =>
        transport.Features.Get<Microsoft.AspNetCore.Connections.Features.ITlsHandshakeFeature>() is not null
            ? transport.Features.Get<Microsoft.AspNetCore.Http.Features.ITlsConnectionFeature>()?.ClientCertificate
            : transport.Features.Get<Microsoft.AspNetCore.Http.Connections.Features.IHttpContextFeature>()?.HttpContext?.Connection.ClientCertificate;

    private MqttConnectReasonCode? Validate(MqttConnectPacket connect)
    {
        var maxConnections = services.Options.MaxConnections;
        if (maxConnections >= 0 && services.Clients.Count >= maxConnections)
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

            if (connect.WillRetain && !services.Options.RetainAvailable)
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
        var max = services.Options.MaxKeepAlive;
        if (max == 0 || !IsV5)
        {
            return requested;
        }

        return requested == 0 || requested > max ? max : requested;
    }

    /// <summary>Seconds the session outlives the connection: v5 asks for it (0xFFFFFFFF = never, capped);
    /// a 3.1.1 client with clean session 0 gets the configured default.</summary>
    private uint NegotiateSessionExpiry(MqttConnectPacket connect)
    {
        var max = (uint)Math.Min(uint.MaxValue, services.Sessions.MaxSessionExpiry.TotalSeconds);
        if (IsV5)
        {
            return Math.Min(connect.SessionExpiryInterval, max);
        }

        return connect.CleanSession ? 0 : (uint)Math.Min(max, services.Sessions.PersistentClientExpiration.TotalSeconds);
    }

    private MqttConnAckPacket BuildConnAck(MqttConnectReasonCode reason, string? assignedClientId, bool sessionPresent, uint sessionExpiry, ushort keepAlive)
    {
        var success = IsV5 && reason == MqttConnectReasonCode.Success;
        return ConnectPackets.ConnAck(
            reason,
            services.Options,
            services.Listener.MaximumQoS,
            assignedClientId,
            sessionPresent,
            // The broker capped the requested expiry or keep-alive: the client hears the value in force (3.2.2.3.2).
            grantedSessionExpiry: success && sessionExpiry != _connect.SessionExpiryInterval ? sessionExpiry : null,
            serverKeepAlive: success && keepAlive != _connect.KeepAlivePeriod ? keepAlive : null);
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
        await transport.Transport.Output.WriteAsync(refusal);
    }
}
