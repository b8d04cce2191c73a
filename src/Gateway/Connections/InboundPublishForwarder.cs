using System.Diagnostics;
using System.Threading.Channels;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Carries a connection's PUBLISH packets to the topic grains without making the read loop wait for each one:
/// whatever has arrived is taken as a batch, grouped per topic (order kept within a topic), sent to the topic
/// grains concurrently, and acknowledged in arrival order only after the cluster accepted it [MQTT-4.6.0-2].
/// The bounded queue pushes back on a client that publishes faster than the cluster accepts.
/// </summary>
internal sealed class InboundPublishForwarder
{
    private const int QueueCapacity = 1024;
    private const int MaxBatch = 256;

    private readonly MqttConnection _connection;
    private readonly GatewayServices _services;
    private readonly Channel<InboundPublish> _queue = Channel.CreateBounded<InboundPublish>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Task _loop;

    public InboundPublishForwarder(MqttConnection connection, GatewayServices services)
    {
        _connection = connection;
        _services = services;
        _loop = RunAsync();
    }

    public ValueTask EnqueueAsync(InboundPublish publish, CancellationToken cancellationToken) =>
        _queue.Writer.WriteAsync(publish, cancellationToken);

    /// <summary>Forwards what is queued, then stops.</summary>
    public async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync()
    {
        // Grows with the batches this connection actually sends: most connections of a large fleet publish
        // rarely, and a preallocated batch of MaxBatch entries cost several KB each (docs/benchmarks.md, Memory).
        var batch = new List<InboundPublish>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var publish))
            {
                batch.Add(publish);
            }

            var allowed = batch.Exists(p => p.Denied) ? batch.FindAll(p => !p.Denied) : batch;
            var failed = allowed.Count == 0 ? null : await ForwardAsync(allowed).ConfigureAwait(false);
            foreach (var publish in batch)
            {
                _connection.Acknowledge(publish, failed?.Contains(publish.Message.Topic) == true);
            }
        }
    }

    /// <summary>Sends one batch; returns the topics whose grain call failed (null when all succeeded).</summary>
    private async Task<HashSet<string>?> ForwardAsync(List<InboundPublish> batch)
    {
        if (batch.Count == 1)
        {
            var only = batch[0];
            return await TryPublishAsync(only.Message.Topic, [only.Message], only.Span).ConfigureAwait(false) ? null : [only.Message.Topic];
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
        HashSet<string>? failed = null;
        for (var i = 0; i < topics.Length; i++)
        {
            if (!results[i])
            {
                (failed ??= new HashSet<string>(StringComparer.Ordinal)).Add(topics[i]);
            }
        }

        return failed;
    }

    /// <param name="span">A receive span of the batch: the grain call (and Orleans' spans of it) runs under it.</param>
    private async Task<bool> TryPublishAsync(string topic, Grains.BrokerMessage[] messages, Activity? span)
    {
        Activity.Current = span;
        try
        {
            await _services.Cluster.PublishAsync(topic, messages).ConfigureAwait(false);
            return true;
        }
        catch (Exception exception)
        {
            ConnectionLog.PublishFailed(_services.Logger, _connection.ClientId, topic, messages.Length, exception);
            return false;
        }
    }
}
