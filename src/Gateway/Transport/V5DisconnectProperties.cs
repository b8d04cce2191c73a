namespace MqttCluster.Gateway.Transport;

/// <summary>Reads the Session Expiry Interval property straight from a v5 DISCONNECT body (3.14.2.2).</summary>
internal static class V5DisconnectProperties
{
    private const byte SessionExpiryIntervalId = 0x11;
    private const byte ServerReference = 0x1C;
    private const byte ReasonString = 0x1F;
    private const byte UserProperty = 0x26;

    /// <summary>The property's value, or null when the body does not carry it (or is not well formed:
    /// the codec rejects those).</summary>
    public static uint? SessionExpiryInterval(ReadOnlySpan<byte> body)
    {
        // Reason code (absent when the remaining length is 0 or 1), then the property length.
        if (body.Length < 2 || !TryReadVariableInteger(body[1..], out var length, out var lengthSize))
        {
            return null;
        }

        var properties = body.Slice(1 + lengthSize, Math.Min(length, body.Length - 1 - lengthSize));
        while (properties.Length > 0)
        {
            var id = properties[0];
            properties = properties[1..];
            switch (id)
            {
                case SessionExpiryIntervalId when properties.Length >= 4:
                    return (uint)((properties[0] << 24) | (properties[1] << 16) | (properties[2] << 8) | properties[3]);
                case ReasonString or ServerReference when TrySkipString(ref properties):
                    break;
                case UserProperty when TrySkipString(ref properties) && TrySkipString(ref properties):
                    break;
                default:
                    return null;
            }
        }

        return null;
    }

    private static bool TrySkipString(ref ReadOnlySpan<byte> span)
    {
        if (span.Length < 2)
        {
            return false;
        }

        var length = (span[0] << 8) | span[1];
        if (span.Length < 2 + length)
        {
            return false;
        }

        span = span[(2 + length)..];
        return true;
    }

    private static bool TryReadVariableInteger(ReadOnlySpan<byte> span, out int value, out int size)
    {
        value = 0;
        var multiplier = 1;
        for (size = 1; size <= Math.Min(4, span.Length); size++)
        {
            var encoded = span[size - 1];
            value += (encoded & 0x7F) * multiplier;
            if ((encoded & 0x80) == 0)
            {
                return true;
            }

            multiplier *= 128;
        }

        return false;
    }
}
