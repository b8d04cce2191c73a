namespace MqttCluster.Core.Telemetry;

/// <summary>
/// Messages received per topic since the last <see cref="Drain"/>, for the busiest topics of a node. Bounded: at
/// most <see cref="Capacity"/> topics are counted per interval; messages on further topics only add to
/// <see cref="TopicActivitySnapshot.Others"/>. Busy topics show up early in an interval, so they are kept.
/// </summary>
public sealed class TopicActivity(int capacity = TopicActivity.DefaultCapacity)
{
    public const int DefaultCapacity = 1000;

    private readonly Lock _lock = new();
    private Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private long _untracked;

    public int Capacity { get; } = capacity;

    public void Count(string topic, int messages)
    {
        lock (_lock)
        {
            if (_counts.TryGetValue(topic, out var count))
            {
                _counts[topic] = count + messages;
            }
            else if (_counts.Count < Capacity)
            {
                _counts[topic] = messages;
            }
            else
            {
                _untracked += messages;
            }
        }
    }

    /// <summary>The <paramref name="top"/> busiest topics of the interval (most messages first), and starts a new one.</summary>
    public TopicActivitySnapshot Drain(int top)
    {
        Dictionary<string, long> counts;
        long untracked;
        lock (_lock)
        {
            (counts, _counts) = (_counts, new Dictionary<string, long>(StringComparer.Ordinal));
            (untracked, _untracked) = (_untracked, 0);
        }

        var busiest = counts
            .OrderByDescending(c => c.Value)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(top)
            .ToArray();
        return new TopicActivitySnapshot(busiest, untracked + counts.Values.Sum() - busiest.Sum(c => c.Value));
    }
}
