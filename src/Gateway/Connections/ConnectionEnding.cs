using MqttCluster.Gateway.Transport;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// How a connection ends and what that means for its session: the reason the broker closes it with (a v5 client
/// hears it in DISCONNECT), or the client's own DISCONNECT (normal, with will, a new session expiry), or neither
/// (the connection was lost). The first reason given stands.
/// </summary>
internal sealed class ConnectionEnding
{
    private DisconnectKind? _byClient;

    /// <summary>Why the broker ends the connection; null while it does not (or the client ended it).</summary>
    public MqttDisconnectReasonCode? CloseReason { get; private set; }

    /// <summary>What went wrong, for the reason string of the final DISCONNECT (3.14.2.2.3).</summary>
    public string? CloseDetail { get; private set; }

    /// <summary>The session expiry the client's DISCONNECT set (v5), else null.</summary>
    public uint? SessionExpiry { get; private set; }

    /// <summary>Whether the client ended the connection with a DISCONNECT that stands (so it is not drained).</summary>
    public bool ByClient => _byClient is DisconnectKind.Normal or DisconnectKind.WithWill;

    public void CloseWith(MqttDisconnectReasonCode reason, string? detail = null)
    {
        CloseReason ??= reason;
        CloseDetail ??= detail;
    }

    /// <summary>What the session grain is told at the end: the client's DISCONNECT, else a lost connection or, when
    /// the broker is stopping, a shutdown (the will then waits as for a lost one).</summary>
    public DisconnectKind Kind(bool stopping) =>
        _byClient ?? (stopping || CloseReason == MqttDisconnectReasonCode.ServerShuttingDown ? DisconnectKind.ServerShutdown : DisconnectKind.Lost);

    /// <summary>What a takeover hands on: the client's DISCONNECT if it came, else a lost connection.</summary>
    public DisconnectKind KindAtTakeover => _byClient ?? DisconnectKind.Lost;

    /// <summary>The client's DISCONNECT. A normal one discards the will [MQTT-3.14.4-3]; v5 reason 0x04 asks for it
    /// to be published; a v5 session expiry replaces the one of CONNECT, 0 included (3.14.2.2.2).</summary>
    /// <param name="expiry">The session expiry the DISCONNECT carries (v5), else null.</param>
    /// <param name="persistent">Whether CONNECT made the session outlive the connection.</param>
    public void OnDisconnect(MqttDisconnectPacket disconnect, bool isV5, uint? expiry, bool persistent)
    {
        _byClient = isV5 && disconnect.ReasonCode == MqttDisconnectReasonCode.DisconnectWithWillMessage
            ? DisconnectKind.WithWill
            : DisconnectKind.Normal;
        if (!isV5 || expiry is not { } requested)
        {
            return;
        }

        if (requested != 0 && !persistent)
        {
            // [MQTT-3.14.2-2]: a session that was to end with the connection cannot be extended at DISCONNECT.
            _byClient = DisconnectKind.Lost;
            throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "DISCONNECT sets a session expiry on a session created with expiry 0 [MQTT-3.14.2-2].");
        }

        SessionExpiry = requested;
    }
}
