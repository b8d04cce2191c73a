using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// A client broke the protocol. The connection is closed; an MQTT 5 client that completed CONNECT first gets a
/// DISCONNECT with <see cref="ReasonCode"/>.
/// </summary>
/// <remarks>
/// The split between the two general reason codes (4.13) is made here and nowhere else: <see cref="Malformed"/>
/// for a packet that cannot be parsed as the specification defines it (wrong flags, lengths, ill-formed UTF-8,
/// a property identifier the packet type does not have (2.2.2.2)), <see cref="ProtocolViolation"/> for a
/// packet that parses but is not allowed where it arrived (a packet only a server sends, a repeated property,
/// a value the specification names a protocol error).
/// </remarks>
public sealed class MqttProtocolError(MqttDisconnectReasonCode reasonCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public MqttDisconnectReasonCode ReasonCode { get; } = reasonCode;

    /// <summary>The CONNECT asked for a protocol name or level this broker does not speak.</summary>
    public bool IsUnsupportedProtocolVersion { get; init; }

    /// <summary>The CONNECT could not be accepted but must be answered with a CONNACK carrying this code.</summary>
    public MqttConnectReasonCode? ConnectRefusal { get; init; }

    /// <summary>0x81: the packet cannot be parsed according to the specification (4.13.1).</summary>
    public static MqttProtocolError Malformed(string message, Exception? inner = null) =>
        new(MqttDisconnectReasonCode.MalformedPacket, message, inner);

    /// <summary>0x82: the packet parses but the specification does not allow it here (4.13.1).</summary>
    public static MqttProtocolError ProtocolViolation(string message) =>
        new(MqttDisconnectReasonCode.ProtocolError, message);

    /// <summary>The CONNACK reason code (MQTT 5) for a CONNECT refused with this error: the same split.</summary>
    public MqttConnectReasonCode ConnAckReasonCode => ReasonCode switch
    {
        MqttDisconnectReasonCode.MalformedPacket => MqttConnectReasonCode.MalformedPacket,
        MqttDisconnectReasonCode.ProtocolError => MqttConnectReasonCode.ProtocolError,
        MqttDisconnectReasonCode.TopicNameInvalid => MqttConnectReasonCode.TopicNameInvalid,
        _ => MqttConnectReasonCode.UnspecifiedError,
    };
}
