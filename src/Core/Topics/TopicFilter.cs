namespace MqttCluster.Core.Topics;

/// <summary>Validation, shared-subscription parsing and reference matching of topic filters.</summary>
public static class TopicFilter
{
    /// <summary>Prefix of a shared subscription, <c>$share/{ShareName}/{filter}</c> [MQTT-4.8.2].</summary>
    public const string SharePrefix = "$share/";

    /// <summary>True when <paramref name="filter"/> may be used in a SUBSCRIBE.</summary>
    public static bool IsValid(string filter) => Validate(filter) == TopicValidationError.None;

    /// <summary>Checks the rules for topic filters, including the <c>$share</c> form.</summary>
    public static TopicValidationError Validate(string filter)
    {
        var common = TopicLimits.ValidateCommon(filter);
        if (common != TopicValidationError.None)
        {
            return common;
        }

        if (!TryParseShared(filter, out var shareName, out var innerFilter))
        {
            return ValidateLevels(filter);
        }

        // ShareName must be non-empty and free of '/', '+' and '#' [MQTT-4.8.2-1]; '/' is excluded by
        // the parse itself. The rest must be a non-empty, valid filter [MQTT-4.8.2-2].
        if (shareName.Length == 0
            || shareName.AsSpan().IndexOfAny(TopicLimits.SingleLevelWildcard, TopicLimits.MultiLevelWildcard) >= 0
            || innerFilter.Length == 0)
        {
            return TopicValidationError.InvalidSharedSubscription;
        }

        return ValidateLevels(innerFilter);
    }

    /// <summary>True when the filter contains <c>+</c> or <c>#</c> anywhere.</summary>
    public static bool HasWildcard(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return filter.AsSpan().IndexOfAny(TopicLimits.SingleLevelWildcard, TopicLimits.MultiLevelWildcard) >= 0;
    }

    /// <summary>
    /// Splits <c>$share/{ShareName}/{filter}</c>. Returns true for any filter starting with <c>$share/</c>,
    /// even a malformed one (<see cref="Validate"/> decides validity); a missing inner part yields "".
    /// </summary>
    public static bool TryParseShared(string filter, out string shareName, out string innerFilter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!filter.StartsWith(SharePrefix, StringComparison.Ordinal))
        {
            shareName = string.Empty;
            innerFilter = string.Empty;
            return false;
        }

        var separator = filter.IndexOf(TopicLimits.LevelSeparator, SharePrefix.Length);
        if (separator < 0)
        {
            shareName = filter[SharePrefix.Length..];
            innerFilter = string.Empty;
        }
        else
        {
            shareName = filter[SharePrefix.Length..separator];
            innerFilter = filter[(separator + 1)..];
        }

        return true;
    }

    /// <summary>
    /// Reference matcher: does <paramref name="filter"/> (a plain, valid filter; strip <c>$share</c> first)
    /// match <paramref name="topic"/>? <c>+</c> matches exactly one level, which may be empty [MQTT-4.7.1-3];
    /// <c>#</c> matches its parent level and any number of levels below [MQTT-4.7.1-2].
    /// </summary>
    public static bool Matches(string filter, string topic)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(topic);

        // A filter starting with a wildcard must not match a topic starting with '$' [MQTT-4.7.2-1].
        if (TopicLimits.IsReserved(topic) && filter.Length > 0
            && filter[0] is TopicLimits.SingleLevelWildcard or TopicLimits.MultiLevelWildcard)
        {
            return false;
        }

        var filterRest = filter.AsSpan();
        var topicRest = topic.AsSpan();
        while (true)
        {
            var filterLevel = NextLevel(ref filterRest, out var filterHasMore);
            if (filterLevel is "#")
            {
                return true;
            }

            var topicLevel = NextLevel(ref topicRest, out var topicHasMore);
            if (filterLevel is not "+" && !filterLevel.SequenceEqual(topicLevel))
            {
                return false;
            }

            if (!filterHasMore)
            {
                return !topicHasMore;
            }

            if (!topicHasMore)
            {
                // Topic used up: only a trailing "#" still matches, as "sport/#" matches "sport".
                return filterRest is "#";
            }
        }
    }

    /// <summary>
    /// Cuts the first level off <paramref name="rest"/>. <paramref name="hasMore"/> tells whether a separator
    /// followed it, so a trailing '/' still yields one more (empty) level.
    /// </summary>
    internal static ReadOnlySpan<char> NextLevel(ref ReadOnlySpan<char> rest, out bool hasMore)
    {
        var separator = rest.IndexOf(TopicLimits.LevelSeparator);
        if (separator < 0)
        {
            var last = rest;
            rest = default;
            hasMore = false;
            return last;
        }

        var level = rest[..separator];
        rest = rest[(separator + 1)..];
        hasMore = true;
        return level;
    }

    /// <summary>'#' only as the whole last level [MQTT-4.7.1-2]; '+' only as a whole level [MQTT-4.7.1-3].</summary>
    private static TopicValidationError ValidateLevels(string filter)
    {
        for (var i = 0; i < filter.Length; i++)
        {
            var c = filter[i];
            if (c is not (TopicLimits.SingleLevelWildcard or TopicLimits.MultiLevelWildcard))
            {
                continue;
            }

            var startsLevel = i == 0 || filter[i - 1] == TopicLimits.LevelSeparator;
            var isLast = i == filter.Length - 1;
            var endsLevel = isLast || filter[i + 1] == TopicLimits.LevelSeparator;
            var placedWell = c == TopicLimits.MultiLevelWildcard ? startsLevel && isLast : startsLevel && endsLevel;
            if (!placedWell)
            {
                return TopicValidationError.InvalidWildcardPlacement;
            }
        }

        return TopicValidationError.None;
    }
}
