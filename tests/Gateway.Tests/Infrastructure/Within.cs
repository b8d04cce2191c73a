namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Bounded waits that say what was awaited when they time out. Tests wait on events, never on a fixed sleep.
/// </summary>
public static class Within
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<T> Async<T>(Task<T> task, string awaited, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw TimedOut(limit, awaited, context);
        }
    }

    public static async Task Async(Task task, string awaited, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw TimedOut(limit, awaited, context);
        }
    }

    /// <summary>The timeout, with what <paramref name="context"/> says about the broker meanwhile (its warnings), so
    /// a failure that happens once in many runs can be read from the run that had it.</summary>
    private static TimeoutException TimedOut(TimeSpan limit, string awaited, Func<string>? context)
    {
        var message = $"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.";
        var said = context?.Invoke();
        return new TimeoutException(string.IsNullOrEmpty(said) ? message : $"{message}{Environment.NewLine}{said}");
    }

    /// <summary>Polls <paramref name="probe"/> until it holds or the deadline passes (for state that has no event).</summary>
    public static async Task PollAsync(Func<Task<bool>> probe, string awaited, TimeSpan timeout, TimeSpan interval)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await probe())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {awaited}.");
            }

            await Task.Delay(interval);
        }
    }
}
