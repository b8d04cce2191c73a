using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>What a CONNECT turns into: the will it carries as a message, and the CONNACK that answers it.</summary>
internal static class ConnectPackets
{
    /// <summary>The will as a message. Its expiry counts from when it is published; the session grain sets it then.</summary>
    public static BrokerMessage Will(MqttConnectPacket connect, string clientId) => new()
    {
        MessageId = Guid.NewGuid(),
        Topic = connect.WillTopic,
        Payload = connect.WillMessage ?? [],
        QualityOfService = (byte)connect.WillQoS,
        Retain = connect.WillRetain,
        PublisherClientId = clientId,
        ContentType = connect.WillContentType,
        ResponseTopic = connect.WillResponseTopic,
        CorrelationData = connect.WillCorrelationData,
        PayloadFormatIndicator = (byte)connect.WillPayloadFormatIndicator,
        UserProperties = connect.WillUserProperties is { Count: > 0 } properties
            ? [.. properties.Select(p => new UserProperty(p.Name, p.ReadValueAsString()))]
            : null,
    };

    /// <summary>
    /// The CONNACK for <paramref name="reason"/>. Every v5 property is set on purpose: a new MqttConnAckPacket says
    /// maximum QoS 0, which makes v5 clients refuse QoS 1/2.
    /// </summary>
    /// <param name="grantedSessionExpiry">The session expiry in force when it differs from the one asked for.</param>
    /// <param name="serverKeepAlive">The keep-alive in force when it differs from the one asked for.</param>
    public static MqttConnAckPacket ConnAck(
        MqttConnectReasonCode reason,
        GatewayOptions options,
        MqttQualityOfServiceLevel maximumQoS,
        string? assignedClientId,
        bool sessionPresent,
        uint? grantedSessionExpiry,
        ushort? serverKeepAlive)
    {
        var ack = new MqttConnAckPacket
        {
            ReasonCode = reason,
            ReturnCode = ReturnCode(reason),
            // [MQTT-3.2.2-2]: only when a stored session was resumed; never on a refusal [MQTT-3.2.2-4].
            IsSessionPresent = sessionPresent && reason == MqttConnectReasonCode.Success,
            MaximumQoS = maximumQoS,
            RetainAvailable = options.RetainAvailable,
            WildcardSubscriptionAvailable = true,
            SharedSubscriptionAvailable = true,
            SubscriptionIdentifiersAvailable = true,
            TopicAliasMaximum = options.TopicAliasMaximum,
            ReceiveMaximum = options.ReceiveMaximum,
            MaximumPacketSize = (uint)options.MaxPacketSize,
            AssignedClientIdentifier = assignedClientId,
        };

        if (grantedSessionExpiry is { } expiry)
        {
            ack.SessionExpiryInterval = expiry;
        }

        if (serverKeepAlive is { } keepAlive)
        {
            ack.ServerKeepAlive = keepAlive;
        }

        return ack;
    }

    /// <summary>The MQTT 3.1.1 return code for a v5 reason.</summary>
    private static MqttConnectReturnCode ReturnCode(MqttConnectReasonCode reason) => reason switch
    {
        MqttConnectReasonCode.Success => MqttConnectReturnCode.ConnectionAccepted,
        MqttConnectReasonCode.UnsupportedProtocolVersion => MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion,
        MqttConnectReasonCode.ClientIdentifierNotValid => MqttConnectReturnCode.ConnectionRefusedIdentifierRejected,
        MqttConnectReasonCode.BadUserNameOrPassword => MqttConnectReturnCode.ConnectionRefusedBadUsernameOrPassword,
        MqttConnectReasonCode.NotAuthorized => MqttConnectReturnCode.ConnectionRefusedNotAuthorized,
        _ => MqttConnectReturnCode.ConnectionRefusedServerUnavailable,
    };
}
