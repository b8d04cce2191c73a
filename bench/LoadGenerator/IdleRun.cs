using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// The idle shape: opens N connections (--connect-concurrency at a time), says so on stderr ("ready: N idle
/// connections", the moment to read the broker's memory), keeps them for --hold, then closes them and reports the
/// connect rate, the p99 time of one connect and the CPU while idle.
/// </summary>
public sealed class IdleRun(LoadOptions options, string runId)
{
    public const string ReadyLine = "ready: {0} idle connections";

    public async Task<LoadReport> RunAsync(CancellationToken cancellation)
    {
        using var clients = new WireClients(options, runId);
        var started = Stopwatch.GetTimestamp();
        clients.Connect("idle", options.SubscriberCount, smallBuffers: true, cancellation);
        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await Console.Error.WriteLineAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ReadyLine, options.SubscriberCount));

        var before = CpuSample.Take(options.BrokerPids);
        await Task.Delay(options.Hold, cancellation);
        var after = CpuSample.Take(options.BrokerPids);
        var seconds = Math.Max(after.SecondsSince(before), 1e-6);
        return LoadReport.ForIdle(options, seconds, connectSeconds, clients.ConnectTimes, before, after);
    }
}
