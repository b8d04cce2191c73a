using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using MQTTnet.Adapter;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Frames MQTT packets from a connection's input pipe and decodes them with MQTTnet's formatter. Checks what the
/// codec does not: the remaining length against the packet size limit before buffering the body, and strict UTF-8
/// in PUBLISH topic names [MQTT-1.5.4-1] (the codec would silently substitute invalid bytes).
/// </summary>
public sealed class MqttPacketReader(PipeReader input, int maxPacketSize)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // The adapter wants a writer, but decoding never writes to it: a tiny one instead of MQTTnet's usual 4 KB
    // saves that much per connection (measured in docs/benchmarks.md, memory per idle connection).
    private readonly MqttPacketFormatterAdapter _formatter = new(new MqttBufferWriter(16, 65535));

    public MqttProtocolVersion ProtocolVersion => _formatter.ProtocolVersion;

    /// <summary>
    /// The Session Expiry Interval property of the last v5 DISCONNECT, null when absent. MQTTnet reports an
    /// explicit 0 like an absent property, but 0 means "end the session now" (3.14.2.2.2), so it is read here.
    /// </summary>
    public uint? DisconnectSessionExpiry { get; private set; }

    /// <summary>Reads the next packet; null when the client closed the connection cleanly between packets.</summary>
    public async ValueTask<MqttPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(ref buffer, out var fixedHeader, out var body, out var totalLength))
            {
                input.AdvanceTo(buffer.Start);
                return Decode(fixedHeader, body, totalLength);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                if (buffer.IsEmpty)
                {
                    return null;
                }

                throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, "Connection closed in the middle of a packet.");
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out byte fixedHeader, out byte[] body, out int totalLength)
    {
        fixedHeader = 0;
        body = [];
        totalLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        var reader = new SequenceReader<byte>(buffer);
        reader.TryRead(out fixedHeader);
        var remainingLength = 0;
        var multiplier = 1;
        for (var i = 0; ; i++)
        {
            if (!reader.TryRead(out var encoded))
            {
                return false;
            }

            if (i == 4)
            {
                throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, "Remaining length uses more than four bytes.");
            }

            remainingLength += (encoded & 0x7F) * multiplier;
            multiplier *= 128;
            if ((encoded & 0x80) == 0)
            {
                break;
            }
        }

        var headerLength = (int)reader.Consumed;
        if ((long)headerLength + remainingLength > maxPacketSize)
        {
            throw new MqttProtocolError(
                MqttDisconnectReasonCode.PacketTooLarge,
                $"Packet of {headerLength + remainingLength} bytes exceeds the limit of {maxPacketSize} bytes.");
        }

        if (reader.Remaining < remainingLength)
        {
            return false;
        }

        // Copied out of the pipe: decoded packets (payloads) outlive the pipe's buffers.
        body = new byte[remainingLength];
        reader.UnreadSequence.Slice(0, remainingLength).CopyTo(body);
        totalLength = headerLength + remainingLength;
        buffer = buffer.Slice(totalLength);
        return true;
    }

    private MqttPacket Decode(byte fixedHeader, byte[] body, int totalLength)
    {
        var packetType = (MqttControlPacketType)(fixedHeader >> 4);
        if (packetType is < MqttControlPacketType.Connect or > MqttControlPacketType.Auth)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, $"Unknown packet type {fixedHeader >> 4}.");
        }

        if (packetType == MqttControlPacketType.Publish)
        {
            CheckTopicIsUtf8(body);
        }

        if (packetType == MqttControlPacketType.Disconnect && _formatter.ProtocolVersion == MqttProtocolVersion.V500)
        {
            DisconnectSessionExpiry = V5DisconnectProperties.SessionExpiryInterval(body);
        }

        var received = new ReceivedMqttPacket(fixedHeader, new ArraySegment<byte>(body), totalLength);
        try
        {
            if (_formatter.ProtocolVersion == MqttProtocolVersion.Unknown)
            {
                if (packetType != MqttControlPacketType.Connect)
                {
                    throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"First packet was {packetType}, not CONNECT [MQTT-3.1.0-1].");
                }

                try
                {
                    _formatter.DetectProtocolVersion(received);
                }
                catch (Exception exception)
                {
                    throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"Unsupported protocol: {exception.Message}", exception)
                    {
                        IsUnsupportedProtocolVersion = true,
                    };
                }
            }

            return _formatter.Decode(received) ?? throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, $"Undecodable {packetType} packet.");
        }
        catch (MqttProtocolError)
        {
            throw;
        }
        catch (Exception exception) when (packetType == MqttControlPacketType.Connect && IsV3ConnectWithEmptyClientIdAndNoCleanSession(body))
        {
            // The codec rejects this CONNECT outright, but it is well-formed and must be answered with CONNACK
            // 0x02 (identifier rejected) before the connection closes [MQTT-3.1.3-8].
            throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "Empty client id without clean session [MQTT-3.1.3-8].", exception)
            {
                ConnectRefusal = MqttConnectReasonCode.ClientIdentifierNotValid,
            };
        }
        catch (Exception exception)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, $"Malformed {packetType} packet: {exception.Message}", exception);
        }
    }

    /// <summary>An MQTT 3.1/3.1.1 CONNECT whose client id is empty while the clean session flag is 0.</summary>
    private static bool IsV3ConnectWithEmptyClientIdAndNoCleanSession(byte[] body)
    {
        // Protocol name (length-prefixed), level, flags, keep-alive (2), then the client id length [MQTT-3.1.2].
        if (body.Length < 2)
        {
            return false;
        }

        var level = 2 + ((body[0] << 8) | body[1]);
        if (body.Length < level + 6)
        {
            return false;
        }

        var cleanSession = (body[level + 1] & 0x02) != 0;
        var clientIdLength = (body[level + 4] << 8) | body[level + 5];
        return body[level] is 3 or 4 && !cleanSession && clientIdLength == 0;
    }

    private static void CheckTopicIsUtf8(byte[] body)
    {
        if (body.Length < 2)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, "PUBLISH too short for a topic name.");
        }

        var length = (body[0] << 8) | body[1];
        if (length > body.Length - 2)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, "PUBLISH topic length exceeds the packet.");
        }

        try
        {
            StrictUtf8.GetCharCount(body, 2, length);
        }
        catch (DecoderFallbackException exception)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.TopicNameInvalid, "PUBLISH topic name is not valid UTF-8 [MQTT-1.5.4-1].", exception);
        }
    }
}
