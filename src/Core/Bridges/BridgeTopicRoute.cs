using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Bridges;

/// <summary>
/// One bridge topic line's remapping, as Mosquitto documents it: the local side subscribes to or publishes on
/// <c>local-prefix + pattern</c>, the remote side on <c>remote-prefix + pattern</c>; a message crossing the bridge
/// loses one prefix and gains the other. An empty pattern maps exactly one topic (the local prefix) to another
/// (the remote prefix).
/// </summary>
public sealed class BridgeTopicRoute(string pattern, string localPrefix, string remotePrefix)
{
    public string Pattern { get; } = pattern;

    public string LocalPrefix { get; } = localPrefix;

    public string RemotePrefix { get; } = remotePrefix;

    /// <summary>The filter on this broker: what an outgoing route subscribes to locally.</summary>
    public string LocalFilter => LocalPrefix + Pattern;

    /// <summary>The filter on the remote broker: what an incoming route subscribes to there.</summary>
    public string RemoteFilter => RemotePrefix + Pattern;

    /// <summary>The remote topic of a local message, or null when <paramref name="localTopic"/> is not this route's.</summary>
    public string? ToRemote(string localTopic) => Remap(localTopic, LocalPrefix, RemotePrefix, LocalFilter);

    /// <summary>The local topic of a remote message, or null when <paramref name="remoteTopic"/> is not this route's.</summary>
    public string? ToLocal(string remoteTopic) => Remap(remoteTopic, RemotePrefix, LocalPrefix, RemoteFilter);

    /// <summary>What makes a topic line invalid (Mosquitto's rules), or null.</summary>
    public static string? Problem(string pattern, string localPrefix, string remotePrefix)
    {
        if (pattern.Length == 0 && (localPrefix.Length == 0 || remotePrefix.Length == 0))
        {
            return "an empty pattern (\"\") maps one topic to another: give both a local and a remote prefix";
        }

        foreach (var (prefix, side) in new[] { (localPrefix, "local"), (remotePrefix, "remote") })
        {
            if (prefix.Length > 0 && !TopicName.IsValid(prefix))
            {
                return $"the {side} prefix '{prefix}' is not a valid topic (no wildcards)";
            }

            if (!TopicFilter.IsValid(prefix + pattern))
            {
                return $"the {side} prefix and the pattern make '{prefix + pattern}', which is not a valid topic filter";
            }
        }

        return null;
    }

    private static string? Remap(string topic, string from, string to, string filter)
    {
        if (!topic.StartsWith(from, StringComparison.Ordinal) || !TopicFilter.Matches(filter, topic))
        {
            return null;
        }

        var mapped = to + topic[from.Length..];

        // A prefix ending without '/' joined to a rest that is now empty would be fine; an empty result is not a topic.
        return mapped.Length == 0 ? null : mapped;
    }
}
