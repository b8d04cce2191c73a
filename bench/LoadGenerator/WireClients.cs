using System.Diagnostics;
using MqttCluster.LoadGenerator.Wire;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// Connects the generator's clients, --connect-concurrency at a time (each on a thread of its own doing blocking
/// CONNECT/CONNACK), records how long each connect took, and disconnects them all at the end.
/// </summary>
public sealed class WireClients(LoadOptions options, string runId) : IDisposable
{
    // Subscribers of --small-buffers keep 8 KB socket buffers like small devices; otherwise the kernel sizes them.
    private const int SmallSocketBuffer = 8 << 10;

    private readonly List<WireClient> _clients = [];

    /// <summary>Microseconds each connection took from the socket's connect to the CONNACK.</summary>
    public LatencyHistogram ConnectTimes { get; } = new();

    /// <summary>Connects <paramref name="count"/> clients named "{role}-{run}-{i}" to <paramref name="port"/> (default --port).</summary>
    public WireClient[] Connect(string role, int count, bool smallBuffers, CancellationToken cancellation, int? port = null)
    {
        var endpoint = new ClientEndpoint(options.Host, port ?? options.Port, options.Transport, options.WebSocketPath, options.ProtocolVersion);
        var clients = new WireClient[count];
        var next = -1;
        Exception? failure = null;
        var workers = Enumerable.Range(0, Math.Min(options.ConnectConcurrency, count)).Select(_ => new Thread(() =>
        {
            var times = new LatencyHistogram();
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && failure is null && !cancellation.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    clients[i] = WireClient.Connect(endpoint, $"{role}-{runId}-{i}", smallBuffers ? SmallSocketBuffer : 0);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    failure ??= e;
                    return;
                }

                times.Record((long)Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }

            lock (ConnectTimes)
            {
                ConnectTimes.Add(times);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        lock (_clients)
        {
            _clients.AddRange(clients.Where(c => c is not null));
        }

        cancellation.ThrowIfCancellationRequested();
        return failure is null ? clients : throw new IOException($"connecting {role} clients failed: {failure.Message}", failure);
    }

    public void Dispose()
    {
        Parallel.ForEach(_clients, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.ConnectConcurrency) }, c => c.Dispose());
    }
}
