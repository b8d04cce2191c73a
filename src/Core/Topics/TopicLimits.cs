using System.Text;

namespace MqttCluster.Core.Topics;

/// <summary>Checks shared by topic names and topic filters.</summary>
internal static class TopicLimits
{
    /// <summary>UTF-8 strings on the wire carry a two-byte length prefix [MQTT-1.5.3], [MQTT-4.7.3-3].</summary>
    public const int MaxUtf8Bytes = 65535;

    public const char LevelSeparator = '/';
    public const char SingleLevelWildcard = '+';
    public const char MultiLevelWildcard = '#';

    /// <summary>Topics starting with this are reserved for the server, e.g. <c>$SYS</c> [MQTT-4.7.2-1].</summary>
    public const char ReservedPrefix = '$';

    /// <summary>Empty, too long, or containing U+0000: the checks common to names and filters.</summary>
    public static TopicValidationError ValidateCommon(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return TopicValidationError.Empty;
        }

        if (!FitsUtf8Limit(value))
        {
            return TopicValidationError.TooLong;
        }

        return value.Contains('\0', StringComparison.Ordinal)
            ? TopicValidationError.NullCharacter
            : TopicValidationError.None;
    }

    /// <summary>True when a topic starting with <c>$</c> must be hidden from this filter's first level [MQTT-4.7.2-1].</summary>
    public static bool IsReserved(ReadOnlySpan<char> topic) =>
        topic.Length > 0 && topic[0] == ReservedPrefix;

    private static bool FitsUtf8Limit(string value)
    {
        // A UTF-16 char encodes to 1..3 UTF-8 bytes (a surrogate pair to 4 for 2 chars), so the
        // exact count is only needed in the band where the answer is not obvious from Length.
        if (value.Length > MaxUtf8Bytes)
        {
            return false;
        }

        if (value.Length <= MaxUtf8Bytes / 3)
        {
            return true;
        }

        return Encoding.UTF8.GetByteCount(value) <= MaxUtf8Bytes;
    }
}
