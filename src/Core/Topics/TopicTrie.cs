using System.Runtime.CompilerServices;

namespace MqttCluster.Core.Topics;

/// <summary>
/// Subscription index: topic filter → set of values (e.g. session ids), matched against the topic of
/// every PUBLISH. One node per filter level with a dictionary of literal children and explicit slots for
/// the <c>+</c> and <c>#</c> children, after the sublist of nats-server, so a match walks only the levels
/// that can match instead of scanning all subscriptions.
/// </summary>
/// <remarks>
/// Not thread-safe. Callers serialise all access (writes and <see cref="Match"/>) under one lock, and the
/// visitor must not modify the trie while it is being called.
/// Filters are stored as plain filters: a <c>$share/{ShareName}/{filter}</c> goes in by its inner
/// filter, because picking one member of the share group is the caller's job [MQTT-4.8.2].
/// </remarks>
public sealed class TopicTrie<TValue>
    where TValue : notnull
{
    private readonly IEqualityComparer<TValue>? _comparer;
    private readonly TopicTrieNode<TValue> _root = new(parent: null, key: string.Empty);

    /// <summary>Creates an empty trie; <paramref name="comparer"/> decides when two values are the same.</summary>
    public TopicTrie(IEqualityComparer<TValue>? comparer = null)
    {
        _comparer = comparer;
    }

    /// <summary>Number of (filter, value) pairs.</summary>
    public int Count { get; private set; }

    /// <summary>Distinct filters holding at least one value; a snapshot, so take it under the caller's lock.</summary>
    public IEnumerable<string> Filters
    {
        get
        {
            var filters = new List<string>();
            foreach (var node in _root.Descendants())
            {
                if (node.Values is not null)
                {
                    filters.Add(node.Filter!);
                }
            }

            return filters;
        }
    }

    /// <summary>Nodes below the root; lets tests see that <see cref="Remove"/> prunes.</summary>
    internal int NodeCount => _root.Descendants().Count();

    /// <summary>Adds the pair; returns true if it was not present yet.</summary>
    /// <exception cref="ArgumentException">The filter is invalid or a <c>$share</c> filter.</exception>
    public bool Add(string filter, TValue value)
    {
        var error = TopicFilter.Validate(filter);
        if (error != TopicValidationError.None)
        {
            throw new ArgumentException($"Invalid topic filter ({error}).", nameof(filter));
        }

        if (TopicFilter.TryParseShared(filter, out _, out _))
        {
            throw new ArgumentException("Add the inner filter of a shared subscription, not the $share form.", nameof(filter));
        }

        var node = _root;
        var rest = filter.AsSpan();
        var hasMore = true;
        while (hasMore)
        {
            node = node.GetOrAddChild(TopicFilter.NextLevel(ref rest, out hasMore));
        }

        node.Values ??= new HashSet<TValue>(_comparer);
        if (!node.Values.Add(value))
        {
            return false;
        }

        node.Filter ??= filter;
        Count++;
        return true;
    }

    /// <summary>Removes the pair; returns true if it was present. Nodes left empty are dropped.</summary>
    public bool Remove(string filter, TValue value)
    {
        var node = Find(filter);
        if (node?.Values is null || !node.Values.Remove(value))
        {
            return false;
        }

        Count--;
        if (node.Values.Count == 0)
        {
            node.Values = null;
            node.Filter = null;
            node.PruneUpwards();
        }

        return true;
    }

    /// <summary>True when at least one value is stored under exactly this filter.</summary>
    public bool ContainsFilter(string filter) => Find(filter)?.Values is not null;

    /// <summary>
    /// Calls <paramref name="visitor"/> once per (filter, value) pair whose filter matches
    /// <paramref name="topic"/>. A value under two overlapping filters is visited once per filter, because
    /// delivery depends on the subscription (QoS, options, subscription id) [MQTT-3.3.4-2].
    /// The topic is not re-validated here, on the hot path: validate it once with <see cref="TopicName"/>
    /// when the PUBLISH is decoded.
    /// </summary>
    public void Match(string topic, Action<string, TValue> visitor)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(visitor);
        MatchLevels(_root, topic.AsSpan(), isFirstLevel: true, TopicLimits.IsReserved(topic), visitor);
    }

    /// <summary>
    /// Matches the levels in <paramref name="rest"/> against the children of <paramref name="node"/>.
    /// Walks the literal path in a loop and recurses only into '+' branches, so stack depth grows with the
    /// number of '+' levels on the path, not with topic length.
    /// </summary>
    private static void MatchLevels(
        TopicTrieNode<TValue> node,
        ReadOnlySpan<char> rest,
        bool isFirstLevel,
        bool topicIsReserved,
        Action<string, TValue> visitor)
    {
        while (true)
        {
            var level = TopicFilter.NextLevel(ref rest, out var hasMore);

            // Wildcards in the first level never match a '$' topic such as $SYS/... [MQTT-4.7.2-1].
            if (!(isFirstLevel && topicIsReserved))
            {
                if (node.MultiLevel is { } multi)
                {
                    // '#' matches this level and everything below it [MQTT-4.7.1-2].
                    Visit(multi, visitor);
                }

                if (node.SingleLevel is { } single)
                {
                    if (hasMore)
                    {
                        // A huge run of '+' levels must fail the call, not overflow the stack.
                        RuntimeHelpers.EnsureSufficientExecutionStack();
                        MatchLevels(single, rest, isFirstLevel: false, topicIsReserved, visitor);
                    }
                    else
                    {
                        VisitLastLevel(single, visitor);
                    }
                }
            }

            var literal = node.FindLiteral(level);
            if (literal is null)
            {
                return;
            }

            if (!hasMore)
            {
                VisitLastLevel(literal, visitor);
                return;
            }

            node = literal;
            isFirstLevel = false;
        }
    }

    /// <summary>The topic ends at <paramref name="node"/>: its own filter matches, and so does a '#' below
    /// it, because "sport/#" also matches "sport" [MQTT-4.7.1-2].</summary>
    private static void VisitLastLevel(TopicTrieNode<TValue> node, Action<string, TValue> visitor)
    {
        Visit(node, visitor);
        if (node.MultiLevel is { } multi)
        {
            Visit(multi, visitor);
        }
    }

    private static void Visit(TopicTrieNode<TValue> node, Action<string, TValue> visitor)
    {
        if (node.Values is not { } values)
        {
            return;
        }

        var filter = node.Filter!;
        foreach (var value in values)
        {
            visitor(filter, value);
        }
    }

    /// <summary>The node of exactly this filter, if it exists; an invalid filter simply is not found.</summary>
    private TopicTrieNode<TValue>? Find(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var node = _root;
        var rest = filter.AsSpan();
        var hasMore = true;
        while (hasMore && node is not null)
        {
            node = node.FindChild(TopicFilter.NextLevel(ref rest, out hasMore));
        }

        return node;
    }
}
