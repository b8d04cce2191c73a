namespace MqttCluster.LoadGenerator;

/// <summary>Turns what the clients counted into a <see cref="LoadReport"/>: rates, loss, latency and CPU per message.</summary>
public sealed class LoadSummary(LoadOptions options, TopicPlan topics)
{
    public LoadReport Report(Publisher[] publishers, SubscriberStats[] stats, CpuSample before, CpuSample after, double measuredSeconds, long writtenInWindow, ConnectFigures connects)
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
        var deliveredPerCpuSecond = deliveredInWindow / seconds;
        var generatorCores = (after.Generator - before.Generator).TotalSeconds / cpuSeconds;
        var brokerCores = (after.Broker - before.Broker).TotalSeconds / cpuSeconds;
        var sentPerSecond = writtenInWindow / seconds;
        return new LoadReport
        {
            Label = options.Label,
            Shape = options.Shape,
            Transport = options.Transport == BrokerTransport.Tcp ? "tcp" : "websocket",
            Mqtt = options.ProtocolVersion == 5 ? "5" : "3.1.1",
            Qos = options.Qos,
            Publishers = options.PublisherCount,
            Subscribers = options.SubscriberCount,
            PayloadBytes = options.PayloadSize,
            BackgroundSubscriptions = options.BackgroundSubscriptions,
            MaxBacklog = options.MaxBacklog,
            RateTarget = options.Rate,
            MeasuredSeconds = seconds,
            Connections = connects.Connections,
            ConnectSeconds = connects.Seconds,
            ConnectsPerSecond = connects.Connections / Math.Max(connects.Seconds, 1e-6),
            ConnectP99Us = connects.P99Us,
            Sent = sent,
            Failed = publishers.Sum(p => p.Failed),
            Expected = expected,
            Received = received,
            Repeated = repeated,
            Lost = lost,
            QosKept = options.Qos switch
            {
                0 => true,
                1 => lost == 0,
                _ => lost == 0 && repeated == 0,
            },
            SentPerSecond = sentPerSecond,
            DeliveredPerSecond = deliveredInWindow / seconds,
            LatencyP50Us = latency.Percentile(50),
            LatencyP99Us = latency.Percentile(99),
            LatencyMaxUs = latency.Max,
            Cores = Environment.ProcessorCount,
            GeneratorCpuCores = generatorCores,
            BrokerCpuCores = brokerCores,
            BrokerCpuUsPerMessage = deliveredPerCpuSecond > 0 && options.BrokerPids.Count > 0 ? brokerCores / deliveredPerCpuSecond * 1e6 : 0,
            GeneratorCpuUsPerMessage = deliveredPerCpuSecond > 0 ? generatorCores / deliveredPerCpuSecond * 1e6 : 0,
            BrokerContextSwitchesPerMessage = deliveredPerCpuSecond > 0 && options.BrokerPids.Count > 0
                ? Math.Max(0, after.BrokerContextSwitches - before.BrokerContextSwitches) / cpuSeconds / deliveredPerCpuSecond
                : 0,
            Warnings = [.. BottleneckCheck.Warnings(options, generatorCores, brokerCores, sentPerSecond)],
        };
    }
}
