namespace MqttCluster.Gateway.Transport;

/// <summary>An MQTT 5 DISCONNECT from a client (3.14): an optional reason code, then properties filling the rest.</summary>
internal static class DisconnectPacketRules
{
    public static void Check(ReadOnlySpan<byte> body)
    {
        var reader = new PacketBodyReader(body, "DISCONNECT");
        if (reader.Remaining == 0)
        {
            return;
        }

        _ = reader.ReadByte();
        if (reader.Remaining == 0)
        {
            return;
        }

        MqttPropertyRules.Read(ref reader, PropertyContext.Disconnect);
        if (reader.Remaining != 0)
        {
            throw MqttProtocolError.Malformed($"DISCONNECT: {reader.Remaining} bytes after its properties.");
        }
    }
}
