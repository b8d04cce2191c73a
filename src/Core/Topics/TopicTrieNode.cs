namespace MqttCluster.Core.Topics;

/// <summary>One filter level of a <see cref="TopicTrie{TValue}"/>.</summary>
internal sealed class TopicTrieNode<TValue>
    where TValue : notnull
{
    private Dictionary<string, TopicTrieNode<TValue>>? _literals;

    // Span-keyed view of _literals, so matching a topic level allocates no substring.
    private Dictionary<string, TopicTrieNode<TValue>>.AlternateLookup<ReadOnlySpan<char>> _literalLookup;

    public TopicTrieNode(TopicTrieNode<TValue>? parent, string key)
    {
        Parent = parent;
        Key = key;
    }

    public TopicTrieNode<TValue>? Parent { get; }

    /// <summary>This node's level text ("+" and "#" for the wildcard slots).</summary>
    public string Key { get; }

    public TopicTrieNode<TValue>? SingleLevel { get; private set; }

    public TopicTrieNode<TValue>? MultiLevel { get; private set; }

    /// <summary>Values subscribed with exactly this node's filter; null when none, so empty nodes can be pruned.</summary>
    public HashSet<TValue>? Values { get; set; }

    /// <summary>The filter ending at this node, kept so matching hands it to visitors without building it.</summary>
    public string? Filter { get; set; }

    private bool IsEmpty =>
        Values is null && SingleLevel is null && MultiLevel is null && _literals is null;

    public TopicTrieNode<TValue>? FindLiteral(ReadOnlySpan<char> level) =>
        _literals is not null && _literalLookup.TryGetValue(level, out var child) ? child : null;

    public TopicTrieNode<TValue>? FindChild(ReadOnlySpan<char> level) => level switch
    {
        "+" => SingleLevel,
        "#" => MultiLevel,
        _ => FindLiteral(level),
    };

    public TopicTrieNode<TValue> GetOrAddChild(ReadOnlySpan<char> level)
    {
        if (FindChild(level) is { } existing)
        {
            return existing;
        }

        var child = new TopicTrieNode<TValue>(this, level.ToString());
        switch (level)
        {
            case "+":
                SingleLevel = child;
                break;
            case "#":
                MultiLevel = child;
                break;
            default:
                if (_literals is null)
                {
                    _literals = new Dictionary<string, TopicTrieNode<TValue>>(StringComparer.Ordinal);
                    _literalLookup = _literals.GetAlternateLookup<ReadOnlySpan<char>>();
                }

                _literals.Add(child.Key, child);
                break;
        }

        return child;
    }

    /// <summary>Drops this node and then each ancestor that is left with no values and no children.</summary>
    public void PruneUpwards()
    {
        var node = this;
        while (node.Parent is { } parent && node.IsEmpty)
        {
            parent.RemoveChild(node);
            node = parent;
        }
    }

    /// <summary>All nodes below this one, without recursion so deep filters cannot overflow the stack.</summary>
    public IEnumerable<TopicTrieNode<TValue>> Descendants()
    {
        var pending = new Stack<TopicTrieNode<TValue>>();
        pending.Push(this);
        while (pending.TryPop(out var node))
        {
            if (node != this)
            {
                yield return node;
            }

            if (node.SingleLevel is { } single)
            {
                pending.Push(single);
            }

            if (node.MultiLevel is { } multi)
            {
                pending.Push(multi);
            }

            if (node._literals is { } literals)
            {
                foreach (var child in literals.Values)
                {
                    pending.Push(child);
                }
            }
        }
    }

    private void RemoveChild(TopicTrieNode<TValue> child)
    {
        if (ReferenceEquals(SingleLevel, child))
        {
            SingleLevel = null;
        }
        else if (ReferenceEquals(MultiLevel, child))
        {
            MultiLevel = null;
        }
        else if (_literals is not null && _literals.Remove(child.Key) && _literals.Count == 0)
        {
            _literals = null;
            _literalLookup = default;
        }
    }
}
