using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Tests;

public class TopicNameTests
{
    [Theory]
    [InlineData("a", TopicValidationError.None)]
    [InlineData("sport/tennis/player1", TopicValidationError.None)]
    [InlineData("/", TopicValidationError.None)] // two empty levels [MQTT-4.7.1-1]
    [InlineData("/finance", TopicValidationError.None)]
    [InlineData("finance/", TopicValidationError.None)]
    [InlineData("a//b", TopicValidationError.None)]
    [InlineData("$SYS/monitor/Clients", TopicValidationError.None)] // '$' is legal in names [MQTT-4.7.2-1]
    [InlineData("$share/group/a", TopicValidationError.None)] // only special in filters
    [InlineData(" ", TopicValidationError.None)]
    [InlineData("ä/€/😀", TopicValidationError.None)]
    [InlineData("", TopicValidationError.Empty)] // [MQTT-4.7.3-1]
    [InlineData("+", TopicValidationError.WildcardInTopicName)] // [MQTT-3.3.2-2]
    [InlineData("#", TopicValidationError.WildcardInTopicName)]
    [InlineData("sport/+/player1", TopicValidationError.WildcardInTopicName)]
    [InlineData("sport/tennis/#", TopicValidationError.WildcardInTopicName)]
    [InlineData("a+b", TopicValidationError.WildcardInTopicName)]
    [InlineData("a#", TopicValidationError.WildcardInTopicName)]
    [InlineData("a\0b", TopicValidationError.NullCharacter)] // [MQTT-4.7.3-2]
    [InlineData("\0", TopicValidationError.NullCharacter)]
    public void ValidatesTopicNames(string topic, TopicValidationError expected)
    {
        Assert.Equal(expected, TopicName.Validate(topic));
        Assert.Equal(expected == TopicValidationError.None, TopicName.IsValid(topic));
    }

    /// <summary>The limit is 65535 UTF-8 bytes, not chars [MQTT-4.7.3-3], [MQTT-1.5.3].</summary>
    [Theory]
    [InlineData("a", 65535, "", true)]
    [InlineData("a", 65536, "", false)]
    [InlineData("é", 32767, "a", true)] // 2-byte chars: 65534 + 1
    [InlineData("é", 32768, "", false)] // 65536
    [InlineData("€", 21845, "", true)] // 3-byte chars: 65535
    [InlineData("€", 21845, "a", false)] // 65536
    [InlineData("😀", 16383, "abc", true)] // surrogate pairs, 4 bytes each: 65532 + 3
    [InlineData("😀", 16384, "", false)] // 65536
    public void LimitsUtf8Length(string unit, int repeat, string tail, bool valid)
    {
        var topic = string.Concat(Enumerable.Repeat(unit, repeat)) + tail;
        Assert.Equal(valid ? TopicValidationError.None : TopicValidationError.TooLong, TopicName.Validate(topic));
    }
}
