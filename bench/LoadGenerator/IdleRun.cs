using System.Diagnostics;
using MQTTnet.Formatter;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// The idle shape: opens N connections, says so on stderr ("ready: N idle connections", the moment to read the
/// broker's memory), keeps them for --hold and reports how long connecting took and the CPU while idle.
/// </summary>
public sealed class IdleRun(LoadOptions options, string runId)
{
    public const string ReadyLine = "ready: {0} idle connections";

    public async Task<LoadReport> RunAsync(CancellationToken cancellation)
    {
        await using var clients = new BenchClients(options, runId);
        var started = Stopwatch.GetTimestamp();
        await clients.ConnectAsync("idle", options.SubscriberCount, smallBuffers: true, setup: null, cancellation);
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Console.Error.WriteLineAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ReadyLine, options.SubscriberCount));

        var before = CpuSample.Take(options.BrokerPids);
        await Task.Delay(options.Hold, cancellation);
        var after = CpuSample.Take(options.BrokerPids);
        var seconds = Math.Max(after.SecondsSince(before), 1e-6);
        var generatorCores = (after.Generator - before.Generator).TotalSeconds / seconds;
        var brokerCores = (after.Broker - before.Broker).TotalSeconds / seconds;
        return new LoadReport
        {
            Label = options.Label,
            Shape = LoadShape.Idle,
            Transport = options.Transport == BrokerTransport.Tcp ? "tcp" : "websocket",
            Mqtt = options.ProtocolVersion == MqttProtocolVersion.V500 ? "5" : "3.1.1",
            Qos = 0,
            Publishers = 0,
            Subscribers = 0,
            PayloadBytes = 0,
            BackgroundSubscriptions = 0,
            MaxBacklog = 0,
            RateTarget = 0,
            MeasuredSeconds = seconds,
            Connections = options.SubscriberCount,
            ConnectSeconds = connectSeconds,
            Sent = 0,
            Failed = 0,
            Expected = 0,
            Received = 0,
            Repeated = 0,
            Lost = 0,
            QosKept = true,
            SentPerSecond = 0,
            DeliveredPerSecond = 0,
            LatencyP50Us = 0,
            LatencyP99Us = 0,
            LatencyMaxUs = 0,
            Cores = Environment.ProcessorCount,
            GeneratorCpuCores = generatorCores,
            BrokerCpuCores = brokerCores,
            BrokerCpuSecondsPerMillion = 0,
            Warnings = [],
        };
    }
}
