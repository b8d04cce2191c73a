using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// <c>mqtt-cluster-bench offline-sessions</c>: offline persistent sessions and their queues (issue 15).
/// <c>--phase fill</c>: N MQTT 3.1.1 clients with clean session 0 each subscribe to their own topic
/// (<c>bench/offline/{n}</c>, QoS 1) and leave; then publishers send M QoS 1 messages to every topic, round-robin
/// (message 1 to every topic, then message 2, ...), each acknowledged before the run counts it. The broker's RSS is
/// read before, right after, and after <c>--settle</c>. <c>--phase resume</c> (typically after a restart of the
/// broker): every client comes back with clean session 0, and must find its session (CONNACK session present) and its
/// M messages, in order; it acknowledges them and leaves. One JSON line on stdout.
/// </summary>
public sealed class OfflineSessionsRun(OfflineSessionsOptions options)
{
    private const int PayloadLength = 16;
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(60);

    public async Task<string> RunAsync(CancellationToken cancellation)
    {
        var broker = Wire.ConnectLoop.Resolve(options.Host, options.Port);
        var figures = new Dictionary<string, object?>
        {
            ["phase"] = options.Phase,
            ["sessions"] = options.Sessions,
            ["messages_per_session"] = options.Messages,
            ["rss_before_kb"] = ProcessMemory.RssKb(options.BrokerPids),
        };
        var stopwatch = Stopwatch.StartNew();
        if (options.Phase == "fill")
        {
            await ForEachSessionAsync(n => SubscribeAndLeaveAsync(broker, n, cancellation), cancellation);
            figures["subscribe_seconds"] = Seconds(stopwatch);
            stopwatch.Restart();
            var published = await Task.WhenAll(Enumerable.Range(0, options.Publishers).Select(p => PublishAsync(broker, p, cancellation)));
            figures["published"] = published.Sum();
            figures["publish_seconds"] = Seconds(stopwatch);
            figures["publish_rate"] = Math.Round(published.Sum() / stopwatch.Elapsed.TotalSeconds);
        }
        else
        {
            var results = new ResumeResult[options.Sessions];
            await ForEachSessionAsync(async n => results[n] = await ResumeAsync(broker, n, cancellation), cancellation);
            figures["resume_seconds"] = Seconds(stopwatch);
            figures["sessions_present"] = results.Count(r => r.Present);
            figures["sessions_complete"] = results.Count(r => r.Received == options.Messages && r.InOrder);
            figures["messages_received"] = results.Sum(r => (long)r.Received);
            figures["sessions_out_of_order"] = results.Count(r => !r.InOrder);
        }

        figures["rss_after_kb"] = ProcessMemory.RssKb(options.BrokerPids);
        await Task.Delay(options.Settle, cancellation);
        figures["rss_settled_kb"] = ProcessMemory.RssKb(options.BrokerPids);
        figures["settle_seconds"] = options.Settle.TotalSeconds;
        return JsonSerializer.Serialize(figures);
    }

    private static double Seconds(Stopwatch stopwatch) => Math.Round(stopwatch.Elapsed.TotalSeconds, 1);

    private static string ClientId(int n) => string.Create(CultureInfo.InvariantCulture, $"offline-{n}");

    private static string Topic(int n) => string.Create(CultureInfo.InvariantCulture, $"bench/offline/{n}");

    private async Task ForEachSessionAsync(Func<int, Task> session, CancellationToken cancellation)
    {
        var next = -1;
        var workers = Enumerable.Range(0, Math.Min(options.Concurrency, options.Sessions)).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < options.Sessions)
            {
                cancellation.ThrowIfCancellationRequested();
                await session(n);
            }
        });
        await Task.WhenAll(workers);
    }

    private static async Task SubscribeAndLeaveAsync(IPEndPoint broker, int n, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(SessionTimeout);
        using var client = await OfflineSessionClient.ConnectAsync(broker, n, timeout.Token);
        client.Writer.Connect(ClientId(n), cleanStart: false, keepAliveSeconds: 600);
        client.Writer.Subscribe(1, [Topic(n)], 1);
        await client.FlushAsync(timeout.Token);
        var connack = await client.ReadAsync(timeout.Token);
        var suback = await client.ReadAsync(timeout.Token);
        if (connack.First != 0x20 || connack.Body[1] != 0 || suback.First != 0x90 || suback.Body[^1] != 1)
        {
            throw new IOException($"session {n}: CONNACK {connack.Body[1]:x2} / SUBACK {suback.Body[^1]:x2}");
        }

        client.Writer.Disconnect();
        await client.FlushAsync(timeout.Token);
    }

    /// <summary>Publisher <paramref name="p"/> sends message m of every topic n with n % publishers == p, m in
    /// order, with up to --inflight unacknowledged; returns how many were acknowledged.</summary>
    private async Task<long> PublishAsync(IPEndPoint broker, int p, CancellationToken cancellation)
    {
        using var client = await OfflineSessionClient.ConnectAsync(broker, options.Sessions + p, cancellation);
        client.Writer.Connect(string.Create(CultureInfo.InvariantCulture, $"offline-publisher-{p}"), cleanStart: true, keepAliveSeconds: 600);
        await client.FlushAsync(cancellation);
        if ((await client.ReadAsync(cancellation)).First != 0x20)
        {
            throw new IOException($"publisher {p}: no CONNACK");
        }

        using var window = new SemaphoreSlim(options.Inflight);
        long acknowledged = 0;
        var total = (long)options.Messages * ((options.Sessions - p + options.Publishers - 1) / options.Publishers);
        var reader = Task.Run(
            async () =>
            {
                while (acknowledged < total)
                {
                    if ((await client.ReadAsync(cancellation)).First == 0x40)
                    {
                        acknowledged++;
                        window.Release();
                    }
                }
            },
            cancellation);

        ushort packetId = 0;
        for (var m = 0; m < options.Messages; m++)
        {
            for (var n = p; n < options.Sessions; n += options.Publishers)
            {
                if (!window.Wait(0))
                {
                    await client.FlushAsync(cancellation);
                    await window.WaitAsync(cancellation);
                }

                packetId = (ushort)(packetId == ushort.MaxValue ? 1 : packetId + 1);
                var payload = client.Writer.Publish(System.Text.Encoding.UTF8.GetBytes(Topic(n)), 1, packetId, PayloadLength);
                payload.Clear();
                BinaryPrimitives.WriteInt32BigEndian(payload, m);
                if (client.Writer.Length > 3000)
                {
                    await client.FlushAsync(cancellation);
                }
            }
        }

        await client.FlushAsync(cancellation);
        await reader;
        return acknowledged;
    }

    private async Task<ResumeResult> ResumeAsync(IPEndPoint broker, int n, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(SessionTimeout);
        using var client = await OfflineSessionClient.ConnectAsync(broker, n, timeout.Token);
        client.Writer.Connect(ClientId(n), cleanStart: false, keepAliveSeconds: 600);
        await client.FlushAsync(timeout.Token);
        var connack = await client.ReadAsync(timeout.Token);
        var result = new ResumeResult { Present = connack.First == 0x20 && (connack.Body[0] & 1) == 1 };
        var expected = 0;
        try
        {
            while (result.Received < options.Messages)
            {
                var packet = await client.ReadAsync(timeout.Token);
                if ((packet.First & 0xF0) != 0x30)
                {
                    continue;
                }

                var (qos, packetId, payloadOffset) = Wire.PacketParser.Publish(packet.First & 0x0F, packet.Body, v5: false);
                result.InOrder &= BinaryPrimitives.ReadInt32BigEndian(packet.Body.AsSpan(payloadOffset)) == expected++;
                result.Received++;
                if (qos == 1)
                {
                    client.Writer.Acknowledge(0x40, packetId);
                    await client.FlushAsync(timeout.Token);
                }
            }

            client.Writer.Disconnect();
            await client.FlushAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            // Counted as incomplete.
        }

        return result;
    }

    private sealed class ResumeResult
    {
        public bool Present { get; init; }

        public int Received { get; set; }

        public bool InOrder { get; set; } = true;
    }
}
