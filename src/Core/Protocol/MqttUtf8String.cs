using System.Buffers;
using System.Text;

namespace MqttCluster.Core.Protocol;

/// <summary>
/// The rules of an MQTT UTF-8 Encoded String (1.5.4): well-formed UTF-8 without surrogates [MQTT-1.5.4-1] and
/// without U+0000 [MQTT-1.5.4-2] always; control characters and non-characters only when the broker is told to
/// accept them (the specification lets a receiver refuse them, and Mosquitto 2.1 does).
/// </summary>
public static class MqttUtf8String
{
    /// <summary>The first violation in <paramref name="bytes"/>, or <see cref="Utf8StringViolation.None"/>.</summary>
    public static Utf8StringViolation Check(ReadOnlySpan<byte> bytes, bool allowControlCharacters)
    {
        while (!bytes.IsEmpty)
        {
            // ASCII fast path: most topics and client ids are plain ASCII.
            var b = bytes[0];
            if (b is >= 0x20 and < 0x7F)
            {
                bytes = bytes[1..];
                continue;
            }

            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) != OperationStatus.Done)
            {
                // ED A0-BF xx is a UTF-16 surrogate half written as UTF-8; the decoder calls it invalid like any other.
                return bytes.Length >= 2 && b == 0xED && bytes[1] >= 0xA0 && bytes[1] <= 0xBF
                    ? Utf8StringViolation.Surrogate
                    : Utf8StringViolation.IllFormed;
            }

            var violation = Classify(rune.Value);
            if (violation == Utf8StringViolation.NullCharacter || (violation != Utf8StringViolation.None && !allowControlCharacters))
            {
                return violation;
            }

            bytes = bytes[consumed..];
        }

        return Utf8StringViolation.None;
    }

    /// <summary>True for the violations that make a packet malformed whatever the broker allows.</summary>
    public static bool IsMalformed(this Utf8StringViolation violation) =>
        violation is Utf8StringViolation.IllFormed or Utf8StringViolation.Surrogate or Utf8StringViolation.NullCharacter;

    private static Utf8StringViolation Classify(int codePoint) => codePoint switch
    {
        0 => Utf8StringViolation.NullCharacter,
        <= 0x1F or (>= 0x7F and <= 0x9F) => Utf8StringViolation.ControlCharacter,
        (>= 0xFDD0 and <= 0xFDEF) => Utf8StringViolation.NonCharacter,
        _ when (codePoint & 0xFFFE) == 0xFFFE => Utf8StringViolation.NonCharacter,
        _ => Utf8StringViolation.None,
    };
}
