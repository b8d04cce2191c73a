namespace MqttCluster.Grains.Status;

/// <summary>
/// The cluster stats grain's arithmetic, on a <see cref="TimeProvider"/>: each gateway's latest report, running
/// cluster totals (the sum of every gateway's growth, so a gateway that leaves takes nothing away), a bounded
/// history of cluster-wide rates, and expiry of gateways that stopped reporting.
/// </summary>
public sealed class ClusterStatistics(TimeProvider timeProvider)
{
    public static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(5);

    /// <summary>15 minutes of samples.</summary>
    public const int HistoryLength = 180;

    /// <summary>A gateway that has not reported for this long is gone (it reports every two seconds).</summary>
    public static readonly TimeSpan GatewayExpiry = TimeSpan.FromSeconds(15);

    public const int TopTopicCount = 10;

    private readonly Dictionary<string, GatewayStatus> _gateways = new(StringComparer.Ordinal);
    private readonly Queue<RateSample> _history = new();
    private NodeCounters _sample = NodeCounters.Zero;
    private DateTimeOffset _sampleStart = timeProvider.GetUtcNow();

    public NodeCounters Totals { get; private set; } = NodeCounters.Zero;

    public int Connections => _gateways.Values.Sum(g => g.Report.Connections);

    /// <summary>The most clients connected at once, as seen in reports.</summary>
    public int MaxConnections { get; private set; }

    public int Subscriptions => _gateways.Values.Sum(g => g.Report.Subscriptions);

    public IReadOnlyCollection<GatewayStatus> Gateways => _gateways.Values;

    public void Report(NodeReport report)
    {
        var now = timeProvider.GetUtcNow();
        double received = 0, sent = 0, dropped = 0;
        if (_gateways.TryGetValue(report.GatewayId, out var previous))
        {
            var growth = report.Counters.Since(previous.Report.Counters);
            Totals += growth;
            _sample += growth;
            var seconds = (now - previous.LastSeen).TotalSeconds;
            if (seconds > 0)
            {
                (received, sent, dropped) = (growth.MessagesReceived / seconds, growth.MessagesSent / seconds, growth.MessagesDropped / seconds);
            }
        }
        else
        {
            // A gateway new to this grain: what it counted so far belongs to the totals, but not to one sample's rate.
            Totals += report.Counters;
        }

        _gateways[report.GatewayId] = new GatewayStatus(report, now, received, sent, dropped);
        MaxConnections = Math.Max(MaxConnections, Connections);
    }

    /// <summary>Closes the current sample into the history and forgets gateways that stopped reporting.</summary>
    public void Tick()
    {
        var now = timeProvider.GetUtcNow();
        foreach (var gone in _gateways.Values.Where(g => now - g.LastSeen > GatewayExpiry).ToArray())
        {
            _gateways.Remove(gone.Report.GatewayId);
        }

        var seconds = (now - _sampleStart).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        _history.Enqueue(new RateSample(now, _sample.MessagesReceived / seconds, _sample.MessagesSent / seconds, _sample.MessagesDropped / seconds));
        while (_history.Count > HistoryLength)
        {
            _history.Dequeue();
        }

        (_sample, _sampleStart) = (NodeCounters.Zero, now);
    }

    /// <summary>The busiest topics over the gateways' latest reports, in messages per second.</summary>
    public TopicRate[] TopTopics() =>
        [.. _gateways.Values
            .Where(g => g.Report.IntervalSeconds > 0)
            .SelectMany(g => g.Report.TopTopics.Select(t => (t.Topic, PerSecond: t.Messages / g.Report.IntervalSeconds)))
            .GroupBy(t => t.Topic, StringComparer.Ordinal)
            .Select(g => new TopicRate(g.Key, g.Sum(t => t.PerSecond)))
            .OrderByDescending(t => t.PerSecond)
            .ThenBy(t => t.Topic, StringComparer.Ordinal)
            .Take(TopTopicCount)];

    public ClusterStatus Snapshot(ClusterSilo[] silos, long? retainedMessages) => new()
    {
        Now = timeProvider.GetUtcNow(),
        Gateways = [.. _gateways.Values.OrderBy(g => g.Report.Node, StringComparer.Ordinal)],
        Silos = silos,
        History = [.. _history],
        SampleSeconds = SampleInterval.TotalSeconds,
        Totals = Totals,
        Connections = Connections,
        MaxConnections = MaxConnections,
        Subscriptions = Subscriptions,
        RetainedMessages = retainedMessages,
        TopTopics = TopTopics(),
    };
}
