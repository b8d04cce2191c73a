namespace MqttCluster.Core.Telemetry;

/// <summary>
/// Remembers what a <c>$SYS</c> publisher last published, so each round publishes only the values that changed
/// (as Mosquitto does): an idle broker then rewrites little more than its uptime.
/// </summary>
public sealed class SysPublication
{
    private readonly Dictionary<string, string?> _published = new(StringComparer.Ordinal);

    /// <summary>Topics published so far (to clear them when the publisher leaves).</summary>
    public IReadOnlyCollection<string> Topics => _published.Keys;

    /// <summary>The values of <paramref name="tree"/> that differ from the last published ones, now taken as published.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Changes(IEnumerable<KeyValuePair<string, string>> tree)
    {
        var changes = new List<KeyValuePair<string, string>>();
        foreach (var (topic, payload) in tree)
        {
            if (!_published.TryGetValue(topic, out var last) || last != payload)
            {
                _published[topic] = payload;
                changes.Add(new(topic, payload));
            }
        }

        return changes;
    }

    /// <summary>After a failed round: the next one publishes every value again.</summary>
    public void Forget()
    {
        foreach (var topic in _published.Keys)
        {
            _published[topic] = null;
        }
    }
}
