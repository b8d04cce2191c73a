using MqttCluster.Core.Protocol;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// The CONNECT packet (3.1) beyond what MQTTnet's codec checks: the protocol name, the connect flags against the
/// payload, UTF-8 strings, MQTT 5 properties. A refusal carries the CONNACK the specification asks for, or none
/// where a 3.1.1 server must close without one [MQTT-3.1.4-1].
/// </summary>
internal static class ConnectPacketRules
{
    /// <summary>[MQTT-3.1.2-1]: a protocol name other than "MQTT" (or "MQIsdp" for 3.1) is closed without CONNACK.</summary>
    public static void CheckProtocolName(ReadOnlySpan<byte> body)
    {
        var reader = new PacketBodyReader(body, "CONNECT");
        var name = reader.ReadBinary("the protocol name");
        if (!name.SequenceEqual("MQTT"u8) && !name.SequenceEqual("MQIsdp"u8))
        {
            throw MqttProtocolError.ProtocolViolation("CONNECT with a protocol name other than MQTT [MQTT-3.1.2-1].");
        }
    }

    /// <summary>Checks a CONNECT whose protocol level the codec recognised as <paramref name="version"/>.</summary>
    public static void Check(byte fixedHeader, ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        try
        {
            CheckCore(fixedHeader, body, version, allowControlCharacters);
        }
        catch (MqttProtocolError error) when (error.ConnectRefusal is null && version == MqttProtocolVersion.V500)
        {
            // MQTT 5 names the problem in the CONNACK before closing (3.2.2.2); 3.1.1 just closes [MQTT-3.1.4-1].
            throw new MqttProtocolError(error.ReasonCode, error.Message) { ConnectRefusal = error.ConnAckReasonCode };
        }
    }

    private static void CheckCore(byte fixedHeader, ReadOnlySpan<byte> body, MqttProtocolVersion version, bool allowControlCharacters)
    {
        if ((fixedHeader & 0x0F) != 0)
        {
            throw MqttProtocolError.Malformed($"CONNECT with fixed-header flags 0x{fixedHeader & 0x0F:X} [MQTT-2.1.3-1].");
        }

        var v5 = version == MqttProtocolVersion.V500;
        var reader = new PacketBodyReader(body, "CONNECT");
        _ = reader.ReadBinary("the protocol name");
        _ = reader.ReadByte();
        var flags = reader.ReadByte();
        _ = reader.ReadUInt16();
        CheckFlags(flags, version);
        if (v5)
        {
            MqttPropertyRules.Read(ref reader, PropertyContext.Connect);
        }

        CheckClientId(ref reader, version, cleanStart: (flags & 0x02) != 0, allowControlCharacters);
        if ((flags & 0x04) != 0)
        {
            if (v5)
            {
                MqttPropertyRules.Read(ref reader, PropertyContext.Will);
            }

            reader.ReadString("the will topic", allowControlCharacters, MqttDisconnectReasonCode.TopicNameInvalid);
            _ = reader.ReadBinary("the will payload");
        }

        // [MQTT-3.1.2-18] to [MQTT-3.1.2-21]: a user name and a password are present exactly when their flags say.
        if ((flags & 0x80) != 0)
        {
            var violation = reader.ReadString("the user name", allowControlCharacters);
            if (violation != Utf8StringViolation.None)
            {
                throw new MqttProtocolError(MqttDisconnectReasonCode.NotAuthorized, $"CONNECT with a user name with a {violation}: refused, Mqtt:AllowControlCharacters accepts it (1.5.4).")
                {
                    ConnectRefusal = MqttConnectReasonCode.BadUserNameOrPassword,
                };
            }
        }

        if ((flags & 0x40) != 0)
        {
            _ = reader.ReadBinary("the password");
        }

        if (reader.Remaining != 0)
        {
            throw MqttProtocolError.Malformed($"CONNECT: {reader.Remaining} bytes after the payload its flags announce [MQTT-3.1.2-16], [MQTT-3.1.2-18], [MQTT-3.1.2-20].");
        }
    }

    private static void CheckFlags(byte flags, MqttProtocolVersion version)
    {
        if ((flags & 0x01) != 0)
        {
            throw MqttProtocolError.Malformed("CONNECT with the reserved flag set [MQTT-3.1.2-3].");
        }

        var will = (flags & 0x04) != 0;
        var willQos = (flags >> 3) & 0x03;
        if (willQos == 3)
        {
            throw MqttProtocolError.Malformed("CONNECT with will QoS 3 [MQTT-3.1.2-14].");
        }

        if (!will && willQos != 0)
        {
            throw MqttProtocolError.Malformed("CONNECT with a will QoS but no will flag [MQTT-3.1.2-11].");
        }

        if (!will && (flags & 0x20) != 0)
        {
            throw MqttProtocolError.Malformed("CONNECT with will retain but no will flag [MQTT-3.1.2-13].");
        }

        if (version == MqttProtocolVersion.V311 && (flags & 0xC0) == 0x40)
        {
            throw MqttProtocolError.Malformed("MQTT 3.1.1 CONNECT with a password but no user name [MQTT-3.1.2-22].");
        }
    }

    private static void CheckClientId(ref PacketBodyReader reader, MqttProtocolVersion version, bool cleanStart, bool allowControlCharacters)
    {
        var violation = reader.ReadString("the client identifier", allowControlCharacters, out var length);
        var rejected = violation != Utf8StringViolation.None
            ? $"a client identifier with a {violation}"
            : length == 0 && version == MqttProtocolVersion.V310
                ? "an empty client identifier on MQTT 3.1, which requires 1 to 23 characters"
                : length == 0 && version == MqttProtocolVersion.V311 && !cleanStart
                    ? "an empty client identifier without clean session [MQTT-3.1.3-8]"
                    : null;
        if (rejected is not null)
        {
            // [MQTT-3.1.3-9]: CONNACK 0x02 (3.1.1) / 0x85 (5), then close.
            throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"CONNECT with {rejected}.")
            {
                ConnectRefusal = MqttConnectReasonCode.ClientIdentifierNotValid,
            };
        }
    }
}
