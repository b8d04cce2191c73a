using MqttCluster.Core.Topics;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Mosquitto's <c>mount_point</c>: the prefix put before every topic and filter a listener's client sends, and taken
/// off every topic sent to it, so the client lives in its own subtree and cannot reach outside it. A shared
/// subscription keeps its <c>$share/group/</c> in front. Names and filters that are not valid stay as they are, so
/// they are refused as the client wrote them.
/// </summary>
public sealed class TopicMount
{
    private readonly string? _prefix;

    public TopicMount(string? prefix) => _prefix = string.IsNullOrEmpty(prefix) ? null : prefix;

    public static TopicMount None { get; } = new(null);

    public bool IsNone => _prefix is null;

    public string? Prefix => _prefix;

    /// <summary>A topic name from the client, as the broker knows it.</summary>
    public string Inbound(string topic) =>
        _prefix is null || !TopicName.IsValid(topic) ? topic : _prefix + topic;

    /// <summary>A topic filter from the client, as the broker knows it.</summary>
    public string InboundFilter(string filter)
    {
        if (_prefix is null || !TopicFilter.IsValid(filter))
        {
            return filter;
        }

        return TopicFilter.TryParseShared(filter, out var group, out var inner) ? $"$share/{group}/{_prefix}{inner}" : _prefix + filter;
    }

    /// <summary>A topic name as the client knows it: the prefix taken off.</summary>
    public string Outbound(string topic) =>
        _prefix is not null && topic.StartsWith(_prefix, StringComparison.Ordinal) ? topic[_prefix.Length..] : topic;

    /// <summary>A filter as the client wrote it (for the ACL, which Mosquitto checks on the client's names).</summary>
    public string OutboundFilter(string filter) =>
        _prefix is not null && TopicFilter.TryParseShared(filter, out var group, out var inner) && inner.StartsWith(_prefix, StringComparison.Ordinal)
            ? $"$share/{group}/{inner[_prefix.Length..]}"
            : Outbound(filter);
}
