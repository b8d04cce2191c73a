namespace MqttCluster.Core.Topics;

/// <summary>Validation of topic names, i.e. the topic of a PUBLISH packet.</summary>
public static class TopicName
{
    /// <summary>True when <paramref name="topic"/> may be used in a PUBLISH.</summary>
    public static bool IsValid(string topic) => Validate(topic) == TopicValidationError.None;

    /// <summary>
    /// Checks the rules for topic names. Leading <c>$</c> and empty levels (<c>a//b</c>, <c>/a</c>, <c>a/</c>)
    /// are allowed: the spec gives them meaning rather than forbidding them [MQTT-4.7.1-1].
    /// </summary>
    public static TopicValidationError Validate(string topic)
    {
        var common = TopicLimits.ValidateCommon(topic);
        if (common != TopicValidationError.None)
        {
            return common;
        }

        // Wildcards are for subscriptions only [MQTT-3.3.2-2].
        return topic.AsSpan().IndexOfAny(TopicLimits.SingleLevelWildcard, TopicLimits.MultiLevelWildcard) >= 0
            ? TopicValidationError.WildcardInTopicName
            : TopicValidationError.None;
    }
}
