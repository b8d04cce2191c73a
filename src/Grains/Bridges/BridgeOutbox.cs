namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The messages of a bridge on their way to the remote, in the order they were taken. QoS 1/2 messages stay until
/// the remote acknowledged them and are what the grain stores; QoS 0 ones are only held while the remote is
/// connected. Used on the grain's scheduler only.
/// </summary>
internal sealed class BridgeOutbox
{
    private readonly LinkedList<BridgeQueuedMessage> _messages = new();
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => _messages.Count;

    /// <summary>QoS 1/2 messages held, the figure <see cref="BridgeOptions.MaxQueuedMessages"/> bounds.</summary>
    public int ReliableCount { get; private set; }

    /// <summary>Completes when a message is added after this was read.</summary>
    public Task Added => _added.Task;

    /// <summary>The oldest message's node, for walking the outbox in order (<see cref="BridgeOutgoingSession"/>).</summary>
    public LinkedListNode<BridgeQueuedMessage>? First => _messages.First;

    public void Enqueue(BridgeQueuedMessage message)
    {
        _messages.AddLast(message);
        if (message.Qos > 0)
        {
            ReliableCount++;
        }

        var added = _added;
        _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        added.TrySetResult();
    }

    /// <summary>Takes out a message the remote is done with (acknowledgements may finish them out of order).</summary>
    public void Remove(LinkedListNode<BridgeQueuedMessage> node)
    {
        _messages.Remove(node);
        if (node.Value.Qos > 0)
        {
            ReliableCount--;
        }
    }

    /// <summary>Drops the QoS 0 messages (the remote went away); returns how many.</summary>
    public int DropUnreliable()
    {
        var dropped = 0;
        for (var node = _messages.First; node is not null;)
        {
            var next = node.Next;
            if (node.Value.Qos == 0)
            {
                _messages.Remove(node);
                dropped++;
            }

            node = next;
        }

        return dropped;
    }

    /// <summary>The QoS 1/2 messages, oldest first: what storage keeps.</summary>
    public List<BridgeQueuedMessage> Reliable() => [.. _messages.Where(m => m.Qos > 0)];
}
