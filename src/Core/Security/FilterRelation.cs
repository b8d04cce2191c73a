using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security;

/// <summary>
/// Relations between two topic filters, in terms of the topics <see cref="TopicFilter.Matches"/> lets them match.
/// Used to decide a SUBSCRIBE against ACL filters without enumerating topics.
/// </summary>
internal static class FilterRelation
{
    /// <summary>True when some topic matches both filters.</summary>
    public static bool Overlap(string a, string b)
    {
        if (HidesReserved(a, b) || HidesReserved(b, a))
        {
            return false;
        }

        var restA = a.AsSpan();
        var restB = b.AsSpan();
        for (var first = true; ; first = false)
        {
            var levelA = TopicFilter.NextLevel(ref restA, out var moreA);
            var levelB = TopicFilter.NextLevel(ref restB, out var moreB);
            if (levelA is "#" || levelB is "#")
            {
                return true;
            }

            if (levelA is not "+" && levelB is not "+" && !levelA.SequenceEqual(levelB))
            {
                return false;
            }

            if (!moreA || !moreB)
            {
                // The topic can end here only if the longer filter goes on with just "#" (which matches its parent),
                // and not as one empty level: "" is no topic name, so "+" and "/#" share nothing.
                var level = levelA is "+" ? levelB : levelA;
                return (moreA == moreB || (moreA ? restA : restB) is "#") && !(first && level.Length == 0);
            }
        }
    }

    /// <summary>True when every topic <paramref name="inner"/> matches is matched by <paramref name="outer"/>.</summary>
    public static bool Covers(string outer, string inner)
    {
        if (HidesReserved(outer, inner))
        {
            return false;
        }

        if (inner is "#")
        {
            // A top-level '#' has no parent level to match, so "+/#" matches all it matches.
            return outer is "#" or "+/#";
        }

        if (inner is "/#")
        {
            // Its parent would be the empty topic, which is not a topic name: it matches exactly what "/+/#" does.
            inner = "/+/#";
        }

        var restOuter = outer.AsSpan();
        var restInner = inner.AsSpan();
        while (true)
        {
            var levelOuter = TopicFilter.NextLevel(ref restOuter, out var moreOuter);
            var levelInner = TopicFilter.NextLevel(ref restInner, out var moreInner);
            if (levelOuter is "#")
            {
                return true;
            }

            // A wildcard in the inner filter stands for levels a narrower outer level does not match.
            var levelCovered = levelInner is not "#"
                && (levelOuter is "+" || (levelInner is not "+" && levelOuter.SequenceEqual(levelInner)));
            if (!levelCovered)
            {
                return false;
            }

            if (!moreInner)
            {
                return !moreOuter || restOuter is "#";
            }

            if (!moreOuter)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// [MQTT-4.7.2-1]: a filter starting with a wildcard matches no topic starting with '$', so it shares no topic
    /// with a filter whose first level is such a literal.
    /// </summary>
    private static bool HidesReserved(string wildcardFirst, string other) =>
        wildcardFirst.Length > 0 && wildcardFirst[0] is '+' or '#' && other.Length > 0 && other[0] == '$';
}
