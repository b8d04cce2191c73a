using System.Diagnostics;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// One run: subscribes (and the background filters), connects publishers, publishes through a warm-up and the
/// measured window (or a message count), waits for the last deliveries and reports.
/// </summary>
public sealed class LoadRun(LoadOptions options)
{
    private const int FiltersPerSubscribe = 100;
    private const int FiltersPerBackgroundClient = 10_000;
    private static readonly TimeSpan DrainQuiet = TimeSpan.FromSeconds(1);

    private readonly string _runId = Guid.NewGuid().ToString("N")[..8];

    public async Task<LoadReport> RunAsync(CancellationToken cancellation)
    {
        if (options.Shape == LoadShape.Idle)
        {
            return await new IdleRun(options, _runId).RunAsync(cancellation);
        }

        var topics = new TopicPlan(options, _runId);
        using var clients = new WireClients(options, _runId);
        var connectStarted = Stopwatch.GetTimestamp();
        SubscribeBackground(clients, topics, cancellation);

        var backlog = new DeliveryBacklog(options.MaxBacklog, topics.DeliveriesPerMessage);
        var stats = Enumerable.Range(0, options.SubscriberCount).Select(_ => new SubscriberStats(options.PublisherCount, backlog)).ToArray();
        var subscribers = clients.Connect("sub", options.SubscriberCount, options.SmallSubscriberBuffers, cancellation);
        for (var i = 0; i < subscribers.Length; i++)
        {
            subscribers[i].Subscribe(1, [topics.SubscriptionFilter(i)], options.Qos);
            subscribers[i].Attach(stats[i], wakeOnArrival: true);
        }

        var publisherClients = clients.Connect("pub", options.PublisherCount, smallBuffers: false, cancellation, options.PublishPort);
        var publishers = publisherClients.Select((c, i) => new Publisher(c, i, topics.PublishTopic(i), options, backlog)).ToArray();
        var connectSeconds = Stopwatch.GetElapsedTime(connectStarted).TotalSeconds;

        // The window is fixed now that everyone is connected: warm-up from here, then the measured duration.
        var measuredByDuration = options.MessagesPerPublisher is null;
        var window = measuredByDuration ? WindowAfterSetup() : MeasurementWindow.Always;
        foreach (var s in stats)
        {
            s.Window = window;
        }

        var publishing = true;
        var scheduleStart = Stopwatch.GetTimestamp();
        var ticksPerMessage = options.Rate > 0 ? Stopwatch.Frequency / options.Rate : 0;
        var loop = new EventLoop([.. subscribers, .. publisherClients], now =>
        {
            if (Volatile.Read(ref publishing))
            {
                foreach (var publisher in publishers)
                {
                    publisher.Turn(now, scheduleStart, ticksPerMessage, publishers.Length);
                }
            }
        });
        var loopThread = loop.Start();

        CpuSample before, after;
        long sentBefore = 0, sentAfter;
        if (measuredByDuration)
        {
            await DelayUntilAsync(window.Start, cancellation);
            before = CpuSample.Take(options.BrokerPids);
            sentBefore = publishers.Sum(p => p.Started);
            await DelayUntilAsync(window.End, cancellation);
            after = CpuSample.Take(options.BrokerPids);
            sentAfter = publishers.Sum(p => p.Started);
            Volatile.Write(ref publishing, false);
            await DrainAsync(publishers, stats, topics, cancellation);
        }
        else
        {
            before = CpuSample.Take(options.BrokerPids) with { Timestamp = scheduleStart };
            while (publishers.Any(p => p.Started < options.MessagesPerPublisher && !p.Lost))
            {
                await Task.Delay(10, cancellation);
            }

            await DrainAsync(publishers, stats, topics, cancellation);
            var lastDelivery = stats.Max(s => s.LastReceived);
            after = CpuSample.Take(options.BrokerPids) with { Timestamp = Math.Max(lastDelivery, scheduleStart + 1) };
            sentAfter = publishers.Sum(p => p.Started);
        }

        loop.Exit();
        await Task.Run(loopThread.Join, CancellationToken.None);
        var measuredSeconds = measuredByDuration ? options.Duration.TotalSeconds : after.SecondsSince(before);
        var connects = new ConnectFigures(options.PublisherCount + options.SubscriberCount, connectSeconds, clients.ConnectTimes.Percentile(99));
        return new LoadSummary(options, topics).Report(publishers, stats, before, after, measuredSeconds, sentAfter - sentBefore, connects);
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellation)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellation);
        }
    }

    private MeasurementWindow WindowAfterSetup()
    {
        var start = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        return new MeasurementWindow(start, start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>
    /// Waits for the acknowledgements still outstanding and the deliveries still due: until all came, nothing came
    /// for a second, or --drain passed.
    /// </summary>
    private async Task DrainAsync(Publisher[] publishers, SubscriberStats[] stats, TopicPlan topics, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Drain.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(publishers.Select(p => p.AwaitAcknowledgementsAsync(deadline)));

        var expected = publishers.Sum(p => p.Sent) * topics.DeliveriesPerMessage;
        var received = stats.Sum(s => s.Received);
        var lastProgress = Stopwatch.GetTimestamp();
        while (received < expected && Stopwatch.GetTimestamp() < deadline && Stopwatch.GetElapsedTime(lastProgress) < DrainQuiet)
        {
            await Task.Delay(20, cancellation);
            var now = stats.Sum(s => s.Received);
            if (now != received)
            {
                received = now;
                lastProgress = Stopwatch.GetTimestamp();
            }
        }
    }

    private void SubscribeBackground(WireClients clients, TopicPlan topics, CancellationToken cancellation)
    {
        if (options.BackgroundSubscriptions == 0)
        {
            return;
        }

        var clientCount = (options.BackgroundSubscriptions + FiltersPerBackgroundClient - 1) / FiltersPerBackgroundClient;
        var background = clients.Connect("background", clientCount, smallBuffers: false, cancellation);
        Parallel.For(0, clientCount, new ParallelOptions { CancellationToken = cancellation }, c =>
        {
            var first = c * FiltersPerBackgroundClient;
            var last = Math.Min(options.BackgroundSubscriptions, first + FiltersPerBackgroundClient);
            ushort packetId = 1;
            for (var batch = first; batch < last; batch += FiltersPerSubscribe)
            {
                var filters = Enumerable.Range(batch, Math.Min(FiltersPerSubscribe, last - batch)).Select(topics.BackgroundFilter).ToArray();
                background[c].Subscribe(packetId++, filters, options.Qos);
            }
        });
    }
}
