namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Bounded waits that say what was awaited when they time out. Tests wait on events, never on a fixed sleep.
/// </summary>
public static class Within
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static async Task<T> Async<T>(Task<T> task, string awaited, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.");
        }
    }

    public static async Task Async(Task task, string awaited, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.");
        }
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
