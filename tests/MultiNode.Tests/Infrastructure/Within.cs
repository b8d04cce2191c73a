using System.Diagnostics;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// Bounded waits that say what was awaited when they time out. Tests wait on events, or poll with a deadline for
/// state that has no event; never a fixed sleep. Limits are generous: several .NET processes share two cores.
/// </summary>
public static class Within
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> Async<T>(Task<T> task, string awaited, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.{Context(context)}");
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
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}.{Context(context)}");
        }
    }

    /// <summary>Polls <paramref name="probe"/> until it holds or the deadline passes.</summary>
    public static async Task PollAsync(Func<bool> probe, string awaited, TimeSpan timeout, Func<string>? context = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!probe())
        {
            if (stopwatch.Elapsed >= timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {awaited}.{Context(context)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Polls <paramref name="probe"/> (one that asks a node, say) until it holds or the deadline passes.</summary>
    public static async Task PollAsync(Func<Task<bool>> probe, string awaited, TimeSpan timeout, Func<string>? context = null)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!await probe())
        {
            if (stopwatch.Elapsed >= timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {awaited}.{Context(context)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static string Context(Func<string>? context) => context is null ? string.Empty : "\n" + context();
}
