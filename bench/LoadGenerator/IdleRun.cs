using System.Diagnostics;
using System.Globalization;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// The idle shape: opens N connections (--connect-concurrency handshakes in flight; over TCP from one epoll loop, see
/// <see cref="ConnectLoop"/>), says so on stderr ("ready: N idle connections"), keeps them for --hold, then closes
/// them and, with --after-close, watches the broker's memory come back. Reports the connect rate, the p99 time of one
/// connect, the CPU of generator and broker while connecting and while idle, and the broker's RSS throughout.
/// </summary>
public sealed class IdleRun(LoadOptions options, string runId)
{
    public const string ReadyLine = "ready: {0} idle connections";

    private static readonly TimeSpan AfterCloseFirstReading = TimeSpan.FromSeconds(10);

    public async Task<LoadReport> RunAsync(CancellationToken cancellation)
    {
        var idleRss = ProcessMemory.RssKb(options.BrokerPids);
        var connectBefore = CpuSample.Take(options.BrokerPids);
        var (connections, connectTimes) = Connect(cancellation);
        using (connections)
        {
            var connectAfter = CpuSample.Take(options.BrokerPids);
            await Console.Error.WriteLineAsync(string.Format(CultureInfo.InvariantCulture, ReadyLine, options.SubscriberCount));

            await Task.Delay(options.Hold, cancellation);
            var held = CpuSample.Take(options.BrokerPids);
            var rss = ProcessMemory.RssKb(options.BrokerPids);
            connections.Dispose();
            var closed = Stopwatch.GetTimestamp();
            var memory = options.BrokerPids.Count == 0 ? null : await WatchAfterCloseAsync(idleRss, rss, closed, cancellation);
            return LoadReport.ForIdle(options, connectBefore, connectAfter, held, connectTimes) with { Memory = memory };
        }
    }

    private (IDisposable Connections, LatencyHistogram Times) Connect(CancellationToken cancellation)
    {
        if (options.Transport == BrokerTransport.Tcp)
        {
            var endpoint = ConnectLoop.Resolve(options.Host, options.Port);
            var loop = ConnectLoop.Open(endpoint, options.ProtocolVersion, $"idle-{runId}", options.SubscriberCount, options.ConnectConcurrency, cancellation);
            return (loop, loop.ConnectTimes);
        }

        // WebSocket: each handshake on a thread of its own (an HTTP upgrade before the CONNECT).
        var clients = new WireClients(options, runId);
        try
        {
            clients.Connect("idle", options.SubscriberCount, smallBuffers: true, cancellation);
            return (clients, clients.ConnectTimes);
        }
        catch
        {
            clients.Dispose();
            throw;
        }
    }

    private async Task<IdleMemory> WatchAfterCloseAsync(long idleRss, long rss, long closed, CancellationToken cancellation)
    {
        long at10s = 0, last = 0;
        double? backWithin20Percent = null;
        var second = TimeSpan.Zero;
        while (second < options.AfterClose)
        {
            second += TimeSpan.FromSeconds(1);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), closed + (long)(second.TotalSeconds * Stopwatch.Frequency));
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellation);
            }

            last = ProcessMemory.RssKb(options.BrokerPids);
            at10s = second == AfterCloseFirstReading ? last : at10s;
            backWithin20Percent ??= last <= idleRss * 1.2 ? second.TotalSeconds : null;
        }

        return new IdleMemory
        {
            IdleRssKb = idleRss,
            RssKb = rss,
            BytesPerConnection = (rss - idleRss) * 1024 / Math.Max(1, options.SubscriberCount),
            RssAfterClose10sKb = at10s,
            RssAfterCloseKb = last,
            AfterCloseSeconds = options.AfterClose.TotalSeconds,
            SecondsBackWithin20Percent = backWithin20Percent,
        };
    }
}
