using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// A client broke the protocol. The connection is closed; an MQTT 5 client that completed CONNECT first gets a
/// DISCONNECT with <see cref="ReasonCode"/>.
/// </summary>
public sealed class MqttProtocolError(MqttDisconnectReasonCode reasonCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public MqttDisconnectReasonCode ReasonCode { get; } = reasonCode;

    /// <summary>The CONNECT asked for a protocol name or level this broker does not speak.</summary>
    public bool IsUnsupportedProtocolVersion { get; init; }

    /// <summary>The CONNECT could not be accepted but must be answered with a CONNACK carrying this code.</summary>
    public MqttConnectReasonCode? ConnectRefusal { get; init; }
}
