using System.Buffers;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Where the payload of a PUBLISH starts in its body (3.3.2): after the topic name, the packet identifier when QoS > 0
/// and, in MQTT 5, the property list. Read from the pipe before the body is copied, so the payload can go into an
/// array of its own.
/// </summary>
internal static class PublishPayloadOffset
{
    /// <summary>The offset, or 0 when the packet is not a PUBLISH or its variable header does not add up (the
    /// whole body is then copied as one and the packet rules say what is wrong with it).</summary>
    public static int Of(byte fixedHeader, ReadOnlySequence<byte> body, bool v5)
    {
        if (fixedHeader >> 4 != 3)
        {
            return 0;
        }

        var reader = new SequenceReader<byte>(body);
        if (!reader.TryReadBigEndian(out short topicLength))
        {
            return 0;
        }

        long offset = 2 + (ushort)topicLength + (((fixedHeader >> 1) & 0x03) > 0 ? 2 : 0);
        if (v5)
        {
            if (offset >= body.Length)
            {
                return 0;
            }

            reader.Advance(offset - 2);
            var propertyLength = 0;
            for (var i = 0; ; i++)
            {
                if (i == 4 || !reader.TryRead(out var encoded))
                {
                    return 0;
                }

                propertyLength |= (encoded & 0x7F) << (7 * i);
                offset++;
                if ((encoded & 0x80) == 0)
                {
                    break;
                }
            }

            offset += propertyLength;
        }

        return offset <= body.Length ? (int)offset : 0;
    }
}
