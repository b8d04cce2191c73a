using MqttCluster.Grains;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>CONNECT: the handshake, then the session claimed from the cluster, then CONNACK and the resume.</summary>
public sealed partial class MqttConnection
{
    /// <summary>Waits for CONNECT and answers it; false ends the connection.</summary>
    private async Task<bool> ReceiveConnectAsync()
    {
        var handshake = new ConnectHandshake(_transport, _services, _reader, _sender, Endpoint);
        if (await handshake.ReceiveAsync(clientId => ClientId = clientId, _closing.Token) is not { } client)
        {
            return false;
        }

        _client = client;
        _liveness.PacketReceived();
        _outbound.Configure(client);

        // The session grain decides: it takes the client id over from any other connection, on any gateway.
        SessionConnectResult session;
        try
        {
            var request = client.ToSessionRequest(_services.GatewayId, _services.GatewayReference);
            session = await Cluster.TransientClusterFailure.RetryIdempotentAsync(() => Session.ConnectAsync(request));
        }
        catch (Exception exception)
        {
            ConnectionLog.SessionUnavailable(_services.Logger, ClientId, exception);
            handshake.Refuse(MqttConnectReasonCode.ServerUnavailable);
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

        _outbound.Open();

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
            handshake.Refuse(MqttConnectReasonCode.ServerUnavailable);
            return false;
        }

        _established = true;
        handshake.Accept(session.SessionPresent);

        // The client may publish as soon as it has CONNACK; the read loop starts now, beside the resume, so a
        // takeover that the session grain runs before it answers the resume still finds those packets handled.
        // Only a session that had a connection before can get that connection's messages rescued to this one. A new
        // session that ends with this connection has nothing stored: its (empty) resume needs no call.
        _resumed = session.NothingToResume
            ? Task.FromResult(_outbound.Resume(SessionResume.None, moved: false))
            : ResumeAsync(moved: client.IsPersistent && session.SessionPresent);
        return true;
    }
}
