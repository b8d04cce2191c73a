using System.Diagnostics;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

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
        await using var clients = new BenchClients(options, _runId);
        var connectStarted = Stopwatch.GetTimestamp();
        await SubscribeBackgroundAsync(clients, topics, cancellation);

        var backlog = new DeliveryBacklog(options.MaxBacklog, topics.DeliveriesPerMessage);
        var stats = Enumerable.Range(0, options.SubscriberCount).Select(_ => new SubscriberStats(options.PublisherCount, backlog)).ToArray();
        var subscribers = await clients.ConnectAsync("sub", options.SubscriberCount, options.SmallSubscriberBuffers, (client, i) =>
            client.ApplicationMessageReceivedAsync += e =>
            {
                stats[i].OnMessage(PayloadStamp.Read(e.ApplicationMessage.Payload));
                return Task.CompletedTask;
            }, cancellation);
        await Parallel.ForAsync(0, subscribers.Length, cancellation, async (i, ct) =>
            await SubscribeAsync(subscribers[i], [topics.SubscriptionFilter(i)], ct));

        var publisherClients = await clients.ConnectAsync("pub", options.PublisherCount, smallBuffers: false, setup: null, cancellation, options.PublishPort);
        var publishers = publisherClients.Select((c, i) => new Publisher(c, i, topics.PublishTopic(i), options, backlog)).ToArray();
        var connectSeconds = Stopwatch.GetElapsedTime(connectStarted).TotalSeconds;

        // The window is fixed now that everyone is connected: warm-up from here, then the measured duration.
        var measuredByDuration = options.MessagesPerPublisher is null;
        var window = measuredByDuration ? WindowAfterSetup() : MeasurementWindow.Always;
        foreach (var s in stats)
        {
            s.Window = window;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var scheduleStart = Stopwatch.GetTimestamp();
        var ratePerPublisher = options.Rate / options.PublisherCount;
        var publishing = publishers.Select(p => Task.Run(() => p.RunAsync(scheduleStart, ratePerPublisher, stop.Token), CancellationToken.None)).ToArray();

        CpuSample before, after;
        long sentBefore = 0, sentAfter;
        if (measuredByDuration)
        {
            await DelayUntilAsync(window.Start, cancellation);
            before = CpuSample.Take(options.BrokerPids);
            sentBefore = publishers.Sum(p => p.Sent);
            await DelayUntilAsync(window.End, cancellation);
            after = CpuSample.Take(options.BrokerPids);
            sentAfter = publishers.Sum(p => p.Sent);
            await stop.CancelAsync();
            await Task.WhenAll(publishing);
            await DrainAsync(publishers, stats, topics, cancellation);
        }
        else
        {
            before = CpuSample.Take(options.BrokerPids) with { Timestamp = scheduleStart };
            await Task.WhenAll(publishing);
            await DrainAsync(publishers, stats, topics, cancellation);
            var lastDelivery = stats.Max(s => s.LastReceived);
            after = CpuSample.Take(options.BrokerPids) with { Timestamp = Math.Max(lastDelivery, scheduleStart + 1) };
            sentAfter = publishers.Sum(p => p.Sent);
        }

        var measuredSeconds = measuredByDuration ? options.Duration.TotalSeconds : after.SecondsSince(before);
        return Report(publishers, stats, topics, before, after, measuredSeconds, sentAfter - sentBefore, connectSeconds);
    }

    private MeasurementWindow WindowAfterSetup()
    {
        var start = Stopwatch.GetTimestamp() + (long)(options.Warmup.TotalSeconds * Stopwatch.Frequency);
        return new MeasurementWindow(start, start + (long)(options.Duration.TotalSeconds * Stopwatch.Frequency));
    }

    private static async Task DelayUntilAsync(long timestamp, CancellationToken cancellation)
    {
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, cancellation);
        }
    }

    /// <summary>Waits until every due delivery came, nothing came for a second, or --drain passed.</summary>
    private async Task DrainAsync(Publisher[] publishers, SubscriberStats[] stats, TopicPlan topics, CancellationToken cancellation)
    {
        var expected = publishers.Sum(p => p.Sent) * topics.DeliveriesPerMessage;
        var deadline = Stopwatch.GetTimestamp() + (long)(options.Drain.TotalSeconds * Stopwatch.Frequency);
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

    private async Task SubscribeBackgroundAsync(BenchClients clients, TopicPlan topics, CancellationToken cancellation)
    {
        if (options.BackgroundSubscriptions == 0)
        {
            return;
        }

        var clientCount = (options.BackgroundSubscriptions + FiltersPerBackgroundClient - 1) / FiltersPerBackgroundClient;
        var background = await clients.ConnectAsync("background", clientCount, smallBuffers: false, setup: null, cancellation);
        await Parallel.ForAsync(0, clientCount, cancellation, async (c, ct) =>
        {
            var first = c * FiltersPerBackgroundClient;
            var last = Math.Min(options.BackgroundSubscriptions, first + FiltersPerBackgroundClient);
            for (var batch = first; batch < last; batch += FiltersPerSubscribe)
            {
                var filters = Enumerable.Range(batch, Math.Min(FiltersPerSubscribe, last - batch)).Select(topics.BackgroundFilter).ToArray();
                await SubscribeAsync(background[c], filters, ct);
            }
        });
    }

    private async Task SubscribeAsync(IMqttClient client, string[] filters, CancellationToken cancellation)
    {
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe.WithTopicFilter(filter, options.Qos);
        }

        var result = await client.SubscribeAsync(subscribe.Build(), cancellation);
        var refused = result.Items.FirstOrDefault(i => (int)i.ResultCode > (int)MqttClientSubscribeResultCode.GrantedQoS2);
        if (refused is not null)
        {
            throw new InvalidOperationException($"The broker refused the subscription to {refused.TopicFilter.Topic}: {refused.ResultCode}");
        }
    }

    private LoadReport Report(Publisher[] publishers, SubscriberStats[] stats, TopicPlan topics, CpuSample before, CpuSample after, double measuredSeconds, long sentInWindow, double connectSeconds)
    {
        // Rates over the exact window; CPU over the interval between the two samples (taken a little late).
        var seconds = Math.Max(measuredSeconds, 1e-6);
        var cpuSeconds = Math.Max(after.SecondsSince(before), 1e-6);
        var latency = new LatencyHistogram();
        foreach (var s in stats)
        {
            latency.Add(s.Latency);
        }

        var sent = publishers.Sum(p => p.Sent);
        var expected = sent * topics.DeliveriesPerMessage;
        var received = stats.Sum(s => s.Received);
        var repeated = stats.Sum(s => s.Repeated);
        var lost = Math.Max(0, expected - (received - repeated));
        var deliveredInWindow = options.MessagesPerPublisher is null ? stats.Sum(s => s.ReceivedInWindow) : received;
        var generatorCores = (after.Generator - before.Generator).TotalSeconds / cpuSeconds;
        var brokerSeconds = (after.Broker - before.Broker).TotalSeconds;
        var sentPerSecond = sentInWindow / seconds;
        return new LoadReport
        {
            Label = options.Label,
            Shape = options.Shape,
            Transport = options.Transport == BrokerTransport.Tcp ? "tcp" : "websocket",
            Mqtt = options.ProtocolVersion == MqttProtocolVersion.V500 ? "5" : "3.1.1",
            Qos = (int)options.Qos,
            Publishers = options.PublisherCount,
            Subscribers = options.SubscriberCount,
            PayloadBytes = options.PayloadSize,
            BackgroundSubscriptions = options.BackgroundSubscriptions,
            MaxBacklog = options.MaxBacklog,
            RateTarget = options.Rate,
            MeasuredSeconds = seconds,
            Connections = options.PublisherCount + options.SubscriberCount,
            ConnectSeconds = connectSeconds,
            Sent = sent,
            Failed = publishers.Sum(p => p.Failed),
            Expected = expected,
            Received = received,
            Repeated = repeated,
            Lost = lost,
            QosKept = options.Qos switch
            {
                MqttQualityOfServiceLevel.AtMostOnce => true,
                MqttQualityOfServiceLevel.AtLeastOnce => lost == 0,
                _ => lost == 0 && repeated == 0,
            },
            SentPerSecond = sentPerSecond,
            DeliveredPerSecond = deliveredInWindow / seconds,
            LatencyP50Us = latency.Percentile(50),
            LatencyP99Us = latency.Percentile(99),
            LatencyMaxUs = latency.Max,
            Cores = Environment.ProcessorCount,
            GeneratorCpuCores = generatorCores,
            BrokerCpuCores = brokerSeconds / cpuSeconds,
            BrokerCpuSecondsPerMillion = deliveredInWindow > 0 ? brokerSeconds / cpuSeconds / (deliveredInWindow / seconds) * 1e6 : 0,
            Warnings = [.. BottleneckCheck.Warnings(options, generatorCores, brokerSeconds / cpuSeconds, sentPerSecond)],
        };
    }
}
