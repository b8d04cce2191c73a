using MqttCluster.Core.Topics;
using MQTTnet;

namespace MqttCluster.Core.Tests;

/// <summary>
/// The brute-force judge for the property tests: MQTTnet's <see cref="MqttTopicFilterComparer"/>, an
/// independent implementation, except where an experiment showed it departs from the spec. There the
/// judge is <see cref="TopicFilter.Matches"/>, itself pinned by the spec tables in TopicFilterTests.
/// MQTTnet 5.2.0.1603 agrees on the '$' rule [MQTT-4.7.2-1] and on "sport/#" matching "sport", but:
/// <list type="bullet">
/// <item>'+' does not match an empty level unless it is the topic's last one: "+/a" vs "/a" and
/// "a/+/b" vs "a//b" give NoMatch, though '+' matches exactly one level, empty or not [MQTT-4.7.1-3].</item>
/// <item>'#' right after '+' does not match the parent level: "+/#" vs "a" gives NoMatch, though '#'
/// also matches the parent [MQTT-4.7.1-2].</item>
/// </list>
/// </summary>
internal static class MatchOracle
{
    public static bool Matches(string filter, string topic) =>
        InMqttnetDivergentCorner(filter, topic)
            ? TopicFilter.Matches(filter, topic)
            : MqttTopicFilterComparer.Compare(topic, filter) == MqttTopicFilterCompareResult.IsMatch;

    /// <summary>A conservative test for the corners above: '+' facing an empty topic level, or "+/#".</summary>
    public static bool InMqttnetDivergentCorner(string filter, string topic)
    {
        if (filter.Contains("+/#", StringComparison.Ordinal))
        {
            return true;
        }

        var filterLevels = filter.Split('/');
        var topicLevels = topic.Split('/');
        for (var i = 0; i < Math.Min(filterLevels.Length, topicLevels.Length); i++)
        {
            if (filterLevels[i] == "+" && topicLevels[i].Length == 0)
            {
                return true;
            }
        }

        return false;
    }
}
