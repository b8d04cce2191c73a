namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The publishes started on one remote connection and not finished yet, oldest first. They are always the outbox's
/// first messages, in its order (MQTTnet writes PUBLISH packets in the order they were started, and the remote
/// acknowledges in that order [MQTT-4.6.0-2]), so finishing the oldest frees the outbox's head. At most
/// <c>size</c> QoS 1 messages await the remote's acknowledgement (the remote's Receive Maximum); QoS 0 ones only
/// wait to be written. A QoS 2 message goes alone: the remote delivers it on PUBREL, and MQTTnet's client sends each
/// PUBREL when its own PUBREC arrives, in no guaranteed order across messages [MQTT-4.6.0-3], so nothing starts
/// beside it. Used on the grain's scheduler only.
/// </summary>
internal sealed class BridgeWindow(int size)
{
    private readonly Queue<(LinkedListNode<BridgeQueuedMessage> Node, Task<bool> Publish)> _started = new();
    private LinkedListNode<BridgeQueuedMessage>? _last;
    private int _reliable;
    private bool _exactlyOnce;

    /// <summary>Whether <paramref name="message"/> may start now, beside those started.</summary>
    public bool HasRoomFor(BridgeQueuedMessage message) =>
        !_exactlyOnce && (message.Qos == 2 ? _started.Count == 0 : _reliable < size);

    /// <summary>The oldest publish not finished yet, or null.</summary>
    public Task<bool>? Oldest => _started.Count > 0 ? _started.Peek().Publish : null;

    /// <summary>The outbox's next message to start after those started, or null.</summary>
    public LinkedListNode<BridgeQueuedMessage>? Next(BridgeOutbox outbox) => _last is null ? outbox.First : _last.Next;

    public void Start(LinkedListNode<BridgeQueuedMessage> node, Task<bool> publish)
    {
        _started.Enqueue((node, publish));
        _last = node;
        _exactlyOnce = node.Value.Qos == 2;
        if (node.Value.Qos > 0)
        {
            _reliable++;
        }
    }

    /// <summary>Forgets the oldest publish (finished) and returns its message, the outbox's head.</summary>
    public BridgeQueuedMessage Finish()
    {
        var (node, _) = _started.Dequeue();
        if (ReferenceEquals(node, _last))
        {
            _last = null;
        }

        if (node.Value.Qos > 0)
        {
            _reliable--;
        }

        _exactlyOnce = false;
        return node.Value;
    }

    /// <summary>The connection is gone: what is still started fails or is cancelled; its messages stay in the outbox
    /// and go again on the next connection. Their failures are observed here.</summary>
    public void Abandon()
    {
        foreach (var (_, publish) in _started)
        {
            _ = publish.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        _started.Clear();
    }
}
