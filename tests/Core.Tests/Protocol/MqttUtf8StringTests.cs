using System.Text;
using CsCheck;
using MqttCluster.Core.Protocol;

namespace MqttCluster.Core.Tests.Protocol;

/// <summary>
/// Properties of the UTF-8 Encoded String rules (1.5.4): strings are generated with and without each forbidden
/// code point, and random bytes are compared with .NET's strict decoder. CsCheck prints the seed of a failure.
/// </summary>
public sealed class MqttUtf8StringTests
{
    /// <summary>Unicode scalar values that no rule refuses (letters of several scripts, emoji, '/', '+').</summary>
    private static readonly Gen<int> AllowedCodePoint = Gen.OneOf(
        Gen.Int[0x20, 0x7E],
        Gen.Int[0xA0, 0xD7FF],
        Gen.Int[0xE000, 0xFDCF],
        Gen.Int[0xFDF0, 0xFFFD],
        Gen.Int[0x10000, 0x10FFFF]).Where(c => (c & 0xFFFE) != 0xFFFE);

    private static readonly Gen<string> AllowedString =
        AllowedCodePoint.Array[0, 20].Select(points => string.Concat(points.Select(char.ConvertFromUtf32)));

    private static readonly Gen<int> ControlCharacter = Gen.OneOf(Gen.Int[0x01, 0x1F], Gen.Int[0x7F, 0x9F]);

    private static readonly Gen<int> NonCharacter = Gen.OneOf(
        Gen.Int[0xFDD0, 0xFDEF],
        Gen.Int[0, 0x10].Select(Gen.Int[0xFFFE, 0xFFFF], (plane, low) => (plane << 16) | low));

    [Fact]
    public void Strings_without_forbidden_code_points_pass_whatever_is_allowed()
    {
        AllowedString.Sample(text =>
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Assert.Equal(Utf8StringViolation.None, MqttUtf8String.Check(bytes, allowControlCharacters: false));
            Assert.Equal(Utf8StringViolation.None, MqttUtf8String.Check(bytes, allowControlCharacters: true));
        });
    }

    [Fact]
    public void A_control_character_anywhere_is_refused_unless_allowed()
    {
        AssertInsertedCodePoint(ControlCharacter, Utf8StringViolation.ControlCharacter);
    }

    [Fact]
    public void A_non_character_anywhere_is_refused_unless_allowed()
    {
        AssertInsertedCodePoint(NonCharacter, Utf8StringViolation.NonCharacter);
    }

    [Fact]
    public void U_0000_anywhere_is_malformed_even_when_control_characters_are_allowed()
    {
        // [MQTT-1.5.4-2]
        Gen.Select(AllowedString, AllowedString).Sample((before, after) =>
        {
            var bytes = Encoding.UTF8.GetBytes(before + "\0" + after);
            Assert.Equal(Utf8StringViolation.NullCharacter, MqttUtf8String.Check(bytes, allowControlCharacters: true));
            Assert.True(MqttUtf8String.Check(bytes, allowControlCharacters: false).IsMalformed());
        });
    }

    [Fact]
    public void A_surrogate_written_as_UTF_8_anywhere_is_malformed()
    {
        // [MQTT-1.5.4-1]: U+D800-U+DFFF encoded as three bytes ED A0-BF 80-BF (CESU-style), never valid UTF-8.
        Gen.Select(AllowedString, Gen.Int[0xD800, 0xDFFF], AllowedString).Sample((before, surrogate, after) =>
        {
            byte[] encoded = [0xED, (byte)(0x80 | ((surrogate >> 6) & 0x3F)), (byte)(0x80 | (surrogate & 0x3F))];
            var bytes = Encoding.UTF8.GetBytes(before).Concat(encoded).Concat(Encoding.UTF8.GetBytes(after)).ToArray();
            Assert.Equal(Utf8StringViolation.Surrogate, MqttUtf8String.Check(bytes, allowControlCharacters: true));
        });
    }

    [Fact]
    public void Random_bytes_are_malformed_exactly_when_a_strict_decoder_refuses_them_or_they_hold_U0000()
    {
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        Gen.Byte.Array[0, 16].Sample(bytes =>
        {
            bool decodes;
            try
            {
                strict.GetCharCount(bytes);
                decodes = true;
            }
            catch (DecoderFallbackException)
            {
                decodes = false;
            }

            // The check reports the first violation, so a U+0000 before an ill-formed sequence is reported as such;
            // either way the string is malformed. A 0 byte in well-formed UTF-8 is always U+0000.
            var malformed = MqttUtf8String.Check(bytes, allowControlCharacters: true).IsMalformed();
            Assert.Equal(!decodes || Array.IndexOf(bytes, (byte)0) >= 0, malformed);
        });
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 0xAF })]              // overlong '/'
    [InlineData(new byte[] { 0xE0, 0x80, 0xAF })]        // overlong '/', three bytes
    [InlineData(new byte[] { 0xF4, 0x90, 0x80, 0x80 })]  // above U+10FFFF
    [InlineData(new byte[] { 0x61, 0x80 })]              // lone continuation byte
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 })]        // truncated at the end
    [InlineData(new byte[] { 0xFF })]
    public void Known_ill_formed_sequences_are_malformed(byte[] bytes)
    {
        Assert.Equal(Utf8StringViolation.IllFormed, MqttUtf8String.Check(bytes, allowControlCharacters: true));
    }

    private static void AssertInsertedCodePoint(Gen<int> forbidden, Utf8StringViolation expected)
    {
        Gen.Select(AllowedString, forbidden, AllowedString).Sample((before, codePoint, after) =>
        {
            var bytes = Encoding.UTF8.GetBytes(before + char.ConvertFromUtf32(codePoint) + after);
            Assert.Equal(expected, MqttUtf8String.Check(bytes, allowControlCharacters: false));
            Assert.False(expected.IsMalformed());
            Assert.Equal(Utf8StringViolation.None, MqttUtf8String.Check(bytes, allowControlCharacters: true));
        });
    }
}
