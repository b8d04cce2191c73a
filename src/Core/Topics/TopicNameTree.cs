namespace MqttCluster.Core.Topics;

/// <summary>
/// Reverse index for retained messages: a set of topic names, queried by topic filter when a client
/// subscribes [MQTT-3.3.1-6]. The filter walks the tree instead of testing every stored topic.
/// </summary>
/// <remarks>Not thread-safe; callers serialise all access under one lock.</remarks>
public sealed class TopicNameTree
{
    private readonly TopicNameNode _root = new(parent: null, key: string.Empty);

    /// <summary>Number of stored topic names.</summary>
    public int Count { get; private set; }

    /// <summary>Nodes below the root; lets tests see that <see cref="Remove"/> prunes.</summary>
    internal int NodeCount => _root.Descendants().Count();

    /// <summary>Stores the topic name; returns true if it was not present yet.</summary>
    /// <exception cref="ArgumentException">The topic name is invalid.</exception>
    public bool Add(string topic)
    {
        var error = TopicName.Validate(topic);
        if (error != TopicValidationError.None)
        {
            throw new ArgumentException($"Invalid topic name ({error}).", nameof(topic));
        }

        var node = _root;
        var rest = topic.AsSpan();
        var hasMore = true;
        while (hasMore)
        {
            node = node.GetOrAddChild(TopicFilter.NextLevel(ref rest, out hasMore));
        }

        if (node.Topic is not null)
        {
            return false;
        }

        node.Topic = topic;
        Count++;
        return true;
    }

    /// <summary>Removes the topic name; returns true if it was present. Nodes left empty are dropped.</summary>
    public bool Remove(string topic)
    {
        var node = Find(topic);
        if (node?.Topic is null)
        {
            return false;
        }

        node.Topic = null;
        Count--;
        node.PruneUpwards();
        return true;
    }

    /// <summary>True when this exact topic name is stored.</summary>
    public bool Contains(string topic) => Find(topic)?.Topic is not null;

    /// <summary>
    /// Every stored topic that <paramref name="filter"/> (a plain, valid filter) matches, with the semantics
    /// of <see cref="TopicFilter.Matches"/>. Returns a snapshot, so call it under the caller's lock.
    /// </summary>
    /// <exception cref="ArgumentException">The filter is invalid or a <c>$share</c> filter.</exception>
    public IEnumerable<string> Match(string filter)
    {
        var error = TopicFilter.Validate(filter);
        if (error != TopicValidationError.None)
        {
            throw new ArgumentException($"Invalid topic filter ({error}).", nameof(filter));
        }

        if (TopicFilter.TryParseShared(filter, out _, out _))
        {
            throw new ArgumentException("Match the inner filter of a shared subscription, not the $share form.", nameof(filter));
        }

        var matches = new List<string>();

        // Explicit work list: '+' fans out to every child, and deep trees must not overflow the stack.
        var pending = new Stack<(TopicNameNode Node, int LevelStart)>();
        pending.Push((_root, 0));
        while (pending.TryPop(out var item))
        {
            var (node, levelStart) = item;
            var levelEnd = filter.IndexOf(TopicLimits.LevelSeparator, levelStart);
            var isLastLevel = levelEnd < 0;
            if (isLastLevel)
            {
                levelEnd = filter.Length;
            }

            var level = filter.AsSpan(levelStart, levelEnd - levelStart);
            var isFirstLevel = levelStart == 0;

            if (level is "#")
            {
                // '#' matches the parent level and everything below [MQTT-4.7.1-2]; at the first level it
                // must skip '$' topics [MQTT-4.7.2-1].
                if (node.Topic is { } parentTopic)
                {
                    matches.Add(parentTopic);
                }

                foreach (var descendant in node.Descendants(skipReservedChildren: isFirstLevel))
                {
                    if (descendant.Topic is { } topic)
                    {
                        matches.Add(topic);
                    }
                }

                continue;
            }

            if (level is "+")
            {
                foreach (var child in node.Children)
                {
                    if (!(isFirstLevel && TopicLimits.IsReserved(child.Key)))
                    {
                        Advance(child);
                    }
                }
            }
            else if (node.FindChild(level) is { } child)
            {
                Advance(child);
            }

            void Advance(TopicNameNode child)
            {
                if (!isLastLevel)
                {
                    pending.Push((child, levelEnd + 1));
                }
                else if (child.Topic is { } topic)
                {
                    matches.Add(topic);
                }
            }
        }

        return matches;
    }

    private TopicNameNode? Find(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var node = _root;
        var rest = topic.AsSpan();
        var hasMore = true;
        while (hasMore && node is not null)
        {
            node = node.FindChild(TopicFilter.NextLevel(ref rest, out hasMore));
        }

        return node;
    }
}
