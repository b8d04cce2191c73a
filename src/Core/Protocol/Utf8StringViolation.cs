namespace MqttCluster.Core.Protocol;

/// <summary>What is wrong with an MQTT UTF-8 Encoded String (1.5.4), if anything.</summary>
public enum Utf8StringViolation
{
    None,

    /// <summary>Not well-formed UTF-8 (bad sequence, overlong form, above U+10FFFF) [MQTT-1.5.4-1]: malformed.</summary>
    IllFormed,

    /// <summary>A surrogate code point U+D800-U+DFFF encoded as UTF-8 [MQTT-1.5.4-1]: malformed.</summary>
    Surrogate,

    /// <summary>U+0000 [MQTT-1.5.4-2]: malformed.</summary>
    NullCharacter,

    /// <summary>U+0001-U+001F or U+007F-U+009F: a receiver MAY refuse it (1.5.4); refused unless allowed.</summary>
    ControlCharacter,

    /// <summary>A Unicode non-character (U+FDD0-U+FDEF, U+nFFFE, U+nFFFF): a receiver MAY refuse it (1.5.4).</summary>
    NonCharacter,
}
