using System.Collections.Concurrent;
using System.Text;

namespace MqttCluster.Telemetry.Logging;

/// <summary>
/// Writes formatted log lines to standard output (or standard error) in batches: a line is queued without a lock,
/// the first line of a batch schedules one thread-pool work item, and that item writes every line queued meanwhile
/// with one flush. .NET's console logger takes a lock, signals its writer thread and writes once per line, which cost
/// about 40 µs of CPU per client connection (two lines each; docs/benchmarks.md, "Connect CPU"). Order is kept. At
/// most <see cref="MaxQueuedLines"/> lines wait: beyond that lines are dropped, counted and reported in the next
/// batch, so a stalled output cannot grow the process.
/// </summary>
public sealed class BatchedConsoleWriter : IDisposable
{
    public const int MaxQueuedLines = 10_000;

    private readonly ConcurrentQueue<(string Text, bool ToError)> _lines = new();
    private readonly StreamWriter _output;
    private readonly StreamWriter _error;
    private readonly object _writing = new();
    private int _queued;
    private int _scheduled;
    private long _dropped;
    private bool _disposed;

    public BatchedConsoleWriter(Stream output, Stream error)
    {
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        _output = new StreamWriter(output, utf8, bufferSize: 16 * 1024) { AutoFlush = false };
        _error = new StreamWriter(error, utf8, bufferSize: 4 * 1024) { AutoFlush = false };
    }

    /// <summary>Lines dropped because <see cref="MaxQueuedLines"/> were waiting.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Enqueue(string text, bool toError)
    {
        if (Interlocked.Increment(ref _queued) > MaxQueuedLines)
        {
            Interlocked.Decrement(ref _queued);
            Interlocked.Increment(ref _dropped);
            return;
        }

        _lines.Enqueue((text, toError));
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static writer => writer.WriteQueued(), this, preferLocal: false);
        }
    }

    /// <summary>Writes what is queued; later lines are dropped (the process is ending).</summary>
    public void Dispose()
    {
        lock (_writing)
        {
            if (_disposed)
            {
                return;
            }

            WriteBatch();
            _disposed = true;
        }
    }

    private void WriteQueued()
    {
        while (true)
        {
            lock (_writing)
            {
                if (!_disposed)
                {
                    WriteBatch();
                }
            }

            Volatile.Write(ref _scheduled, 0);

            // A line queued after the batch was taken but before the flag was cleared found it set and scheduled
            // nothing: this item goes on for it.
            if (_lines.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private void WriteBatch()
    {
        var wroteError = false;
        var wroteOutput = false;
        var dropped = Interlocked.Exchange(ref _dropped, 0);
        if (dropped > 0)
        {
            _error.Write($"warn: {dropped} log line(s) dropped: more than {MaxQueuedLines} were waiting to be written{Environment.NewLine}");
            wroteError = true;
        }

        try
        {
            while (_lines.TryDequeue(out var line))
            {
                Interlocked.Decrement(ref _queued);
                if (line.ToError)
                {
                    _error.Write(line.Text);
                    wroteError = true;
                }
                else
                {
                    _output.Write(line.Text);
                    wroteOutput = true;
                }
            }

            if (wroteOutput)
            {
                _output.Flush();
            }

            if (wroteError)
            {
                _error.Flush();
            }
        }
        catch (IOException)
        {
            // The output is gone (a closed pipe): there is nowhere to report it.
        }
    }
}
