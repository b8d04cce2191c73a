using CsCheck;
using MqttCluster.Core.Topics;
using MQTTnet;

namespace MqttCluster.Core.Tests;

public class TopicFilterTests
{
    [Theory]
    [InlineData("a", TopicValidationError.None)]
    [InlineData("sport/tennis/player1", TopicValidationError.None)]
    [InlineData("sport/tennis/#", TopicValidationError.None)] // [MQTT-4.7.1-2]
    [InlineData("sport/#", TopicValidationError.None)]
    [InlineData("#", TopicValidationError.None)]
    [InlineData("+", TopicValidationError.None)] // [MQTT-4.7.1-3]
    [InlineData("+/+", TopicValidationError.None)]
    [InlineData("/+", TopicValidationError.None)]
    [InlineData("+/tennis/#", TopicValidationError.None)]
    [InlineData("sport/+/player1", TopicValidationError.None)]
    [InlineData("+/#", TopicValidationError.None)]
    [InlineData("/", TopicValidationError.None)]
    [InlineData("a//b", TopicValidationError.None)]
    [InlineData("/#", TopicValidationError.None)]
    [InlineData("$SYS/#", TopicValidationError.None)]
    [InlineData("$SYS/monitor/+", TopicValidationError.None)]
    [InlineData("$share", TopicValidationError.None)] // no '/': not a shared subscription
    [InlineData("$sharex/g/a", TopicValidationError.None)]
    [InlineData("$share/group/sport/#", TopicValidationError.None)] // [MQTT-4.8.2]
    [InlineData("$share/group/+", TopicValidationError.None)]
    [InlineData("$share/group/#", TopicValidationError.None)]
    [InlineData("$share/group//", TopicValidationError.None)]
    [InlineData("$share/group/$share/x/y", TopicValidationError.None)]
    [InlineData("", TopicValidationError.Empty)] // [MQTT-4.7.3-1]
    [InlineData("sport/tennis#", TopicValidationError.InvalidWildcardPlacement)] // [MQTT-4.7.1-2]
    [InlineData("sport/tennis/#/ranking", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("#/", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("##", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("a+/b", TopicValidationError.InvalidWildcardPlacement)] // [MQTT-4.7.1-3]
    [InlineData("sport+", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("+a", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("a/+b/c", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("++", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("+#", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("a\0b", TopicValidationError.NullCharacter)] // [MQTT-4.7.3-2]
    [InlineData("$share/", TopicValidationError.InvalidSharedSubscription)] // [MQTT-4.8.2-1]
    [InlineData("$share//a", TopicValidationError.InvalidSharedSubscription)]
    [InlineData("$share/group", TopicValidationError.InvalidSharedSubscription)] // [MQTT-4.8.2-2]
    [InlineData("$share/group/", TopicValidationError.InvalidSharedSubscription)]
    [InlineData("$share/gr+oup/a", TopicValidationError.InvalidSharedSubscription)]
    [InlineData("$share/+/a", TopicValidationError.InvalidSharedSubscription)]
    [InlineData("$share/#/a", TopicValidationError.InvalidSharedSubscription)]
    [InlineData("$share/group/a#", TopicValidationError.InvalidWildcardPlacement)]
    [InlineData("$share/group/#/a", TopicValidationError.InvalidWildcardPlacement)]
    public void ValidatesTopicFilters(string filter, TopicValidationError expected)
    {
        Assert.Equal(expected, TopicFilter.Validate(filter));
        Assert.Equal(expected == TopicValidationError.None, TopicFilter.IsValid(filter));
    }

    /// <summary>The limit is 65535 UTF-8 bytes, not chars [MQTT-4.7.3-3].</summary>
    [Theory]
    [InlineData("a", 65533, "/#", true)]
    [InlineData("a", 65534, "/#", false)]
    [InlineData("é", 32766, "a/#", true)] // 2-byte chars: 65532 + 3
    [InlineData("é", 32767, "/#", false)] // 65534 + 2
    public void LimitsUtf8Length(string unit, int repeat, string tail, bool valid)
    {
        var filter = string.Concat(Enumerable.Repeat(unit, repeat)) + tail;
        Assert.Equal(valid, TopicFilter.IsValid(filter));
        Assert.NotEqual(TopicValidationError.InvalidWildcardPlacement, TopicFilter.Validate(filter));
    }

    [Theory]
    [InlineData("a/b", false)]
    [InlineData("$share/g/a", false)]
    [InlineData("a/+", true)]
    [InlineData("#", true)]
    [InlineData("$share/g/+/x", true)]
    [InlineData("a+", true)] // invalid, but still contains a wildcard
    public void DetectsWildcards(string filter, bool expected)
    {
        Assert.Equal(expected, TopicFilter.HasWildcard(filter));
    }

    [Theory]
    [InlineData("$share/group/sport/#", true, "group", "sport/#")]
    [InlineData("$share/g//a", true, "g", "/a")]
    [InlineData("$share/g/", true, "g", "")]
    [InlineData("$share/g", true, "g", "")]
    [InlineData("$share/", true, "", "")]
    [InlineData("$share", false, "", "")]
    [InlineData("$SHARE/g/a", false, "", "")] // prefixes are case-sensitive like all topic text [MQTT-4.7.3-4]
    [InlineData("sport/#", false, "", "")]
    public void ParsesSharedSubscriptions(string filter, bool shared, string shareName, string innerFilter)
    {
        Assert.Equal(shared, TopicFilter.TryParseShared(filter, out var actualShareName, out var actualInner));
        Assert.Equal(shareName, actualShareName);
        Assert.Equal(innerFilter, actualInner);
    }

    /// <summary>The examples of section 4.7 of MQTT 3.1.1 and 5.0, plus empty-level corners.</summary>
    [Theory]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/ranking", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player1/score/wimbledon", true)]
    [InlineData("sport/tennis/player1/#", "sport/tennis/player2", false)]
    [InlineData("sport/#", "sport", true)] // '#' includes the parent level [MQTT-4.7.1-2]
    [InlineData("sport/tennis/+", "sport/tennis/player1", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player2", true)]
    [InlineData("sport/tennis/+", "sport/tennis/player1/ranking", false)]
    [InlineData("sport/+", "sport", false)]
    [InlineData("sport/+", "sport/", true)] // '+' matches an empty level
    [InlineData("+", "finance", true)]
    [InlineData("+", "/finance", false)]
    [InlineData("+/+", "/finance", true)]
    [InlineData("/+", "/finance", true)]
    [InlineData("+/tennis/#", "sport/tennis", true)]
    [InlineData("#", "sport/tennis/player1", true)]
    [InlineData("#", "/", true)]
    [InlineData("#", "$SYS/monitor/Clients", false)] // [MQTT-4.7.2-1]
    [InlineData("+/monitor/Clients", "$SYS/monitor/Clients", false)]
    [InlineData("$SYS/#", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/monitor/+", "$SYS/monitor/Clients", true)]
    [InlineData("$SYS/#", "$SYS", true)]
    [InlineData("+", "$SYS", false)]
    [InlineData("a/+", "a/$x", true)] // the '$' rule is about the first level only
    [InlineData("a/#", "a/", true)]
    [InlineData("a/#", "a//b", true)]
    [InlineData("a/+/b", "a//b", true)]
    [InlineData("+/a", "/a", true)]
    [InlineData("+/#", "a", true)] // '#' parent rule after '+'
    [InlineData("a/+/#", "a/b", true)]
    [InlineData("a/+/#", "a", false)]
    [InlineData("a/b", "a/b", true)]
    [InlineData("a/b", "A/b", false)] // case-sensitive [MQTT-4.7.3-4]
    [InlineData("a/b", "a/b/", false)]
    [InlineData("a/b/", "a/b", false)]
    public void MatchesLikeTheSpecExamples(string filter, string topic, bool expected)
    {
        Assert.Equal(expected, TopicFilter.Matches(filter, topic));
    }

    /// <summary>
    /// Where MQTTnet 5.2.0.1603's comparer departs from the spec, so <see cref="MatchOracle"/> falls back to
    /// <see cref="TopicFilter.Matches"/> there. If MQTTnet fixes these, this fails and the fallback can go.
    /// </summary>
    [Theory]
    [InlineData("+/a", "/a")] // '+' must match an empty level [MQTT-4.7.1-3]
    [InlineData("a/+/b", "a//b")]
    [InlineData("+/#", "a")] // '#' must match the parent level [MQTT-4.7.1-2]
    [InlineData("a/+/#", "a/b")]
    public void MqttnetDepartsFromTheSpecInTheseCorners(string filter, string topic)
    {
        Assert.True(TopicFilter.Matches(filter, topic));
        Assert.Equal(MqttTopicFilterCompareResult.NoMatch, MqttTopicFilterComparer.Compare(topic, filter));
        Assert.True(MatchOracle.InMqttnetDivergentCorner(filter, topic));
    }

    /// <summary>Outside the corners above, the reference matcher agrees with MQTTnet's comparer.</summary>
    [Fact]
    public void MatchesAgreesWithMqttnet()
    {
        Gen.Select(TopicGen.Filter, TopicGen.Topic).Sample(
            (filter, topic) => MatchOracle.InMqttnetDivergentCorner(filter, topic)
                || TopicFilter.Matches(filter, topic)
                    == (MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch),
            iter: 20_000);
    }
}
