using System.Diagnostics;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Carries a connection's PUBLISH packets to the topic grains without making the read loop wait for each one:
/// whatever has arrived is taken as a batch, grouped per topic (order kept within a topic), sent to the topic
/// grains concurrently, and acknowledged in arrival order only after the cluster accepted it [MQTT-4.6.0-2].
/// No loop waits while nothing is queued: the PUBLISH that finds the forwarder idle starts it on the read loop's
/// own thread, so the first grain call leaves without a thread hop, and it stops when the queue is empty. The
/// bounded queue pushes back on a client that publishes faster than the cluster accepts. What comes after a PUBLISH
/// on the same connection and depends on it (a SUBSCRIBE that must find its retained message, a takeover by a new
/// connection) waits with <see cref="WhenForwardedAsync"/> for what is queued at that moment.
/// </summary>
internal sealed class InboundPublishForwarder(InboundPublishes publishes, GatewayServices services)
{
    private const int QueueCapacity = 1024;
    private const int MaxBatch = 256;

    private readonly InboundPublishes _publishes = publishes;
    private readonly GatewayServices _services = services;
    private readonly Queue<InboundPublish> _queue = new();

    // Grows with the batches this connection actually sends: most connections of a large fleet publish rarely
    // (docs/benchmarks.md, Memory).
    private List<InboundPublish>? _batch;
    private bool _forwarding;
    private Task _forwardingDone = Task.CompletedTask;
    private TaskCompletionSource? _room;

    // Counted under the queue's lock: a waiter of WhenForwardedAsync is due once _acknowledged reaches its count.
    private long _enqueued;
    private long _acknowledged;
    private List<(long Count, TaskCompletionSource Done)>? _waiters;

    /// <summary>Queues a PUBLISH; completes at once unless the queue is full (then when it has room again).</summary>
    public ValueTask EnqueueAsync(InboundPublish publish, CancellationToken cancellationToken)
    {
        Task? full = null;
        var start = false;
        lock (_queue)
        {
            _queue.Enqueue(publish);
            _enqueued++;
            if (!_forwarding)
            {
                _forwarding = start = true;
            }
            else if (_queue.Count >= QueueCapacity)
            {
                full = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }

        if (start)
        {
            _forwardingDone = ForwardQueuedAsync();
        }

        return full is null ? ValueTask.CompletedTask : new ValueTask(full.WaitAsync(cancellationToken));
    }

    /// <summary>Waits until what was queued has been forwarded and acknowledged.</summary>
    public async Task CompleteAsync() =>
        await _forwardingDone.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    /// <summary>Completes once every PUBLISH queued so far has been forwarded and answered (accepted or refused);
    /// later ones are not waited for.</summary>
    public Task WhenForwardedAsync()
    {
        lock (_queue)
        {
            if (_acknowledged == _enqueued)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiters ??= []).Add((_enqueued, done));
            return done.Task;
        }
    }

    private async Task ForwardQueuedAsync()
    {
        var batch = _batch ??= [];
        while (true)
        {
            batch.Clear();
            lock (_queue)
            {
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var publish))
                {
                    batch.Add(publish);
                }

                if (batch.Count == 0)
                {
                    _forwarding = false;
                }

                if (_queue.Count < QueueCapacity && _room is not null)
                {
                    _room.TrySetResult();
                    _room = null;
                }

                if (batch.Count == 0)
                {
                    return;
                }
            }

            var allowed = batch.Exists(p => p.Denied) ? batch.FindAll(p => !p.Denied) : batch;
            var outcomes = allowed.Count == 0 ? null : await ForwardAsync(allowed).ConfigureAwait(false);
            foreach (var publish in batch)
            {
                _publishes.Acknowledge(publish, outcomes?.GetValueOrDefault(publish.Message.Topic) ?? InboundPublishOutcome.Accepted);
            }

            CompleteWaiters(batch.Count);
        }
    }

    private void CompleteWaiters(int acknowledged)
    {
        lock (_queue)
        {
            _acknowledged += acknowledged;
            if (_waiters is null)
            {
                return;
            }

            foreach (var (count, done) in _waiters)
            {
                if (count <= _acknowledged)
                {
                    done.TrySetResult();
                }
            }

            _waiters.RemoveAll(w => w.Done.Task.IsCompleted);
        }
    }

    /// <summary>Sends one batch; returns the topics not simply accepted (failed, or matching no subscriber), null
    /// when there are none.</summary>
    private async Task<Dictionary<string, InboundPublishOutcome>?> ForwardAsync(List<InboundPublish> batch)
    {
        if (batch.Count == 1)
        {
            var only = batch[0];
            var outcome = await TryPublishAsync(only.Message.Topic, [only.Message], only.Span).ConfigureAwait(false);
            return outcome == InboundPublishOutcome.Accepted ? null : new(StringComparer.Ordinal) { [only.Message.Topic] = outcome };
        }

        var perTopic = new Dictionary<string, (List<Grains.BrokerMessage> Messages, Activity? Span)>(StringComparer.Ordinal);
        foreach (var publish in batch)
        {
            if (!perTopic.TryGetValue(publish.Message.Topic, out var topic))
            {
                topic = ([], null);
            }

            topic.Messages.Add(publish.Message);
            perTopic[publish.Message.Topic] = (topic.Messages, topic.Span ?? publish.Span);
        }

        var topics = perTopic.Keys.ToArray();
        var results = await Task.WhenAll(topics.Select(t => TryPublishAsync(t, [.. perTopic[t].Messages], perTopic[t].Span))).ConfigureAwait(false);
        Dictionary<string, InboundPublishOutcome>? outcomes = null;
        for (var i = 0; i < topics.Length; i++)
        {
            if (results[i] != InboundPublishOutcome.Accepted)
            {
                (outcomes ??= new(StringComparer.Ordinal))[topics[i]] = results[i];
            }
        }

        return outcomes;
    }

    /// <param name="span">A receive span of the batch: the grain call (and Orleans' spans of it) runs under it.</param>
    private async Task<InboundPublishOutcome> TryPublishAsync(string topic, Grains.BrokerMessage[] messages, Activity? span)
    {
        Activity.Current = span;
        try
        {
            var outcome = await _services.Cluster.PublishAsync(topic, messages).ConfigureAwait(false);
            return outcome == Grains.PublishOutcome.NoMatchingSubscribers ? InboundPublishOutcome.AcceptedWithoutSubscribers : InboundPublishOutcome.Accepted;
        }
        catch (Exception exception)
        {
            ConnectionLog.PublishFailed(_services.Logger, _publishes.ClientId, topic, messages.Length, exception);
            return InboundPublishOutcome.Failed;
        }
    }
}
