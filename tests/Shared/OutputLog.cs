namespace MqttCluster.Tests.Shared;

/// <summary>
/// Lines a child process printed, collected as they arrive. Waiters are woken by each new line (no sleeping
/// poll), and the whole text goes into failure messages.
/// </summary>
public sealed class OutputLog
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _completed;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>True once the stream ended (the process closed it or exited).</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    public void Add(string line)
    {
        lock (_lock)
        {
            _lines.Add(line);
            Signal();
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
            Signal();
        }
    }

    /// <summary>The first line matching <paramref name="match"/>, waiting for it until the deadline; null if it
    /// did not come (timed out or the stream ended).</summary>
    public async Task<string?> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var lines = await WaitForLinesAsync(match, 1, timeout);
        return lines.Count > 0 ? lines[0] : null;
    }

    /// <summary>Waits until <paramref name="count"/> lines match; returns those seen by the deadline (maybe fewer).</summary>
    public async Task<IReadOnlyList<string>> WaitForLinesAsync(Func<string, bool> match, int count, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            List<string> matching;
            bool completed;
            lock (_lock)
            {
                matching = _lines.Where(match).ToList();
                completed = _completed;
                changed = _changed.Task;
            }

            if (matching.Count >= count || completed)
            {
                return matching;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_lock)
                {
                    return _lines.Where(match).ToList();
                }
            }
        }
    }

    /// <summary>Waits until the stream ended.</summary>
    public async Task<bool> WaitForCompletionAsync(TimeSpan timeout)
    {
        await WaitForLinesAsync(_ => false, 1, timeout);
        return IsCompleted;
    }

    public override string ToString() => Format(int.MaxValue);

    /// <summary>The last <paramref name="maxLines"/> lines, for failure messages.</summary>
    public string Format(int maxLines)
    {
        var lines = Lines;
        var shown = lines.Skip(Math.Max(0, lines.Count - maxLines));
        var prefix = lines.Count > maxLines ? $"  ... {lines.Count - maxLines} earlier line(s)\n" : string.Empty;
        return lines.Count == 0 ? "  (nothing)" : prefix + string.Join('\n', shown.Select(l => "  " + l));
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
