using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Checks the property list of an MQTT 5 packet a client sent (2.2.2): each identifier valid for the packet type
/// and of its data type (2.2.2.2) (else malformed), single-valued properties present once and their values
/// within what the specification allows (else a protocol error), strings valid UTF-8 [MQTT-1.5.4-1].
/// </summary>
internal static class MqttPropertyRules
{
    private const PropertyContext Message = PropertyContext.Publish | PropertyContext.Will;
    private const PropertyContext Everywhere = (PropertyContext)0xFF;

    /// <summary>Reads the property length and the properties; leaves <paramref name="reader"/> after them.</summary>
    public static void Read(ref PacketBodyReader reader, PropertyContext context)
    {
        var length = reader.ReadVariableByteInteger();
        var properties = reader.Slice(length, "its properties");
        Span<bool> seen = stackalloc bool[0x2B];
        while (properties.Remaining > 0)
        {
            var id = properties.ReadVariableByteInteger();
            if (id >= seen.Length || (AllowedIn(id) & context) == 0)
            {
                throw MqttProtocolError.Malformed($"{reader.PacketName}: property 0x{id:X2} is not valid in this packet (2.2.2.2).");
            }

            if (id != UserProperty && seen[id])
            {
                throw MqttProtocolError.ProtocolViolation($"{reader.PacketName}: property 0x{id:X2} more than once (2.2.2.2).");
            }

            seen[id] = true;
            ReadValue(ref properties, id, context);
        }
    }

    private const int UserProperty = 0x26;

    private static void ReadValue(ref PacketBodyReader properties, int id, PropertyContext context)
    {
        switch (id)
        {
            case 0x01: // Payload Format Indicator
                _ = properties.ReadByte();
                break;
            case 0x17 or 0x19: // Request Problem Information, Request Response Information
                if (properties.ReadByte() > 1)
                {
                    throw MqttProtocolError.ProtocolViolation($"{properties.PacketName}: property 0x{id:X2} other than 0 or 1 (3.1.2.11).");
                }

                break;
            case 0x02 or 0x11 or 0x18: // Message Expiry, Session Expiry, Will Delay
                _ = properties.ReadUInt32();
                break;
            case 0x27: // Maximum Packet Size
                if (properties.ReadUInt32() == 0)
                {
                    throw MqttProtocolError.ProtocolViolation($"{properties.PacketName}: Maximum Packet Size 0 (3.1.2.11.4).");
                }

                break;
            case 0x21: // Receive Maximum
                if (properties.ReadUInt16() == 0)
                {
                    throw MqttProtocolError.ProtocolViolation($"{properties.PacketName}: Receive Maximum 0 (3.1.2.11.3).");
                }

                break;
            case 0x22: // Topic Alias Maximum
                _ = properties.ReadUInt16();
                break;
            case 0x23: // Topic Alias
                if (properties.ReadUInt16() == 0)
                {
                    throw new MqttProtocolError(MqttDisconnectReasonCode.TopicAliasInvalid, $"{properties.PacketName}: Topic Alias 0 [MQTT-3.3.2-8].");
                }

                break;
            case 0x0B: // Subscription Identifier
                if (context == PropertyContext.Publish)
                {
                    throw MqttProtocolError.ProtocolViolation($"{properties.PacketName}: a PUBLISH from a client carries a Subscription Identifier [MQTT-3.3.4-6].");
                }

                if (properties.ReadVariableByteInteger() == 0)
                {
                    throw MqttProtocolError.ProtocolViolation($"{properties.PacketName}: Subscription Identifier 0 (3.8.2.1.2).");
                }

                break;
            case 0x09 or 0x16: // Correlation Data, Authentication Data
                _ = properties.ReadBinary("binary property");
                break;
            case UserProperty:
                _ = properties.ReadString("user property name", allowControlCharacters: true);
                _ = properties.ReadString("user property value", allowControlCharacters: true);
                break;
            default: // Content Type, Response Topic, Authentication Method, Reason String, Server Reference
                // Only the malformed forms are refused: these strings are the application's, not routing keys.
                _ = properties.ReadString($"property 0x{id:X2}", allowControlCharacters: true);
                break;
        }
    }

    /// <summary>The packets a client may send a property in (2.2.2.2); server-only properties belong to none.</summary>
    private static PropertyContext AllowedIn(int id) => id switch
    {
        0x01 or 0x02 or 0x03 or 0x08 or 0x09 => Message,
        0x0B => PropertyContext.Publish | PropertyContext.Subscribe,
        0x11 => PropertyContext.Connect | PropertyContext.Disconnect,
        0x15 or 0x16 => PropertyContext.Connect | PropertyContext.Auth,
        0x17 or 0x19 or 0x21 or 0x22 or 0x27 => PropertyContext.Connect,
        0x18 => PropertyContext.Will,
        0x1C => PropertyContext.Disconnect,
        0x1F => PropertyContext.Acknowledgement | PropertyContext.Disconnect | PropertyContext.Auth,
        0x23 => PropertyContext.Publish,
        UserProperty => Everywhere,
        _ => PropertyContext.None,
    };
}
