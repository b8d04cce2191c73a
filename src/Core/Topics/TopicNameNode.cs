namespace MqttCluster.Core.Topics;

/// <summary>One topic level of a <see cref="TopicNameTree"/>.</summary>
internal sealed class TopicNameNode
{
    private static readonly TopicNameNode[] NoChildren = [];

    private Dictionary<string, TopicNameNode>? _children;

    // Span-keyed view of _children, so walking a filter level allocates no substring.
    private Dictionary<string, TopicNameNode>.AlternateLookup<ReadOnlySpan<char>> _childLookup;

    public TopicNameNode(TopicNameNode? parent, string key)
    {
        Parent = parent;
        Key = key;
    }

    public TopicNameNode? Parent { get; }

    /// <summary>This node's level text.</summary>
    public string Key { get; }

    /// <summary>The topic name ending at this node, or null when only longer topics pass through it.</summary>
    public string? Topic { get; set; }

    public IEnumerable<TopicNameNode> Children => _children?.Values ?? (IEnumerable<TopicNameNode>)NoChildren;

    public TopicNameNode? FindChild(ReadOnlySpan<char> level) =>
        _children is not null && _childLookup.TryGetValue(level, out var child) ? child : null;

    public TopicNameNode GetOrAddChild(ReadOnlySpan<char> level)
    {
        if (FindChild(level) is { } existing)
        {
            return existing;
        }

        if (_children is null)
        {
            _children = new Dictionary<string, TopicNameNode>(StringComparer.Ordinal);
            _childLookup = _children.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        var child = new TopicNameNode(this, level.ToString());
        _children.Add(child.Key, child);
        return child;
    }

    /// <summary>Drops this node and then each ancestor that is left with no topic and no children.</summary>
    public void PruneUpwards()
    {
        var node = this;
        while (node.Parent is { } parent && node.Topic is null && node._children is null)
        {
            parent.RemoveChild(node);
            node = parent;
        }
    }

    /// <summary>
    /// All nodes below this one, without recursion so deep topics cannot overflow the stack.
    /// <paramref name="skipReservedChildren"/> leaves out direct children whose level starts with '$'.
    /// </summary>
    public IEnumerable<TopicNameNode> Descendants(bool skipReservedChildren = false)
    {
        var pending = new Stack<TopicNameNode>();
        foreach (var child in Children)
        {
            if (!(skipReservedChildren && TopicLimits.IsReserved(child.Key)))
            {
                pending.Push(child);
            }
        }

        while (pending.TryPop(out var node))
        {
            yield return node;
            foreach (var child in node.Children)
            {
                pending.Push(child);
            }
        }
    }

    private void RemoveChild(TopicNameNode child)
    {
        if (_children is not null && _children.Remove(child.Key) && _children.Count == 0)
        {
            _children = null;
            _childLookup = default;
        }
    }
}
