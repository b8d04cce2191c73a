using Orleans.Runtime;

namespace MqttCluster.Gateway.Cluster;

/// <summary>
/// Retries cluster calls that failed because a silo just died: Orleans rejected the message before any grain
/// ran it, so sending it again is safe, and after membership notices (about a second) it reaches the grain's new
/// activation. Bounded, so a cluster that is really gone still fails the call within a few seconds.
/// </summary>
public static class TransientClusterFailure
{
    private static readonly TimeSpan[] Delays =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)];

    /// <summary>Retries only when the call certainly did not run (rejected, or its silo is gone).</summary>
    public static Task RetryAsync(Func<Task> call) =>
        RetryAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    /// <inheritdoc cref="RetryAsync(Func{Task})"/>
    public static Task<T> RetryAsync<T>(Func<Task<T>> call) => RunAsync(call, retryTimeouts: false);

    /// <summary>
    /// Also retries a timed-out call, for calls that may safely run twice (reads, route changes, a CONNECT:
    /// the session grain treats a repeated connect as a takeover of the first, which no connection holds).
    /// A request routed to a silo that died in flight gets no answer, only the response timeout.
    /// </summary>
    public static Task<T> RetryIdempotentAsync<T>(Func<Task<T>> call) => RunAsync(call, retryTimeouts: true);

    /// <inheritdoc cref="RetryIdempotentAsync{T}(Func{Task{T}})"/>
    public static Task RetryIdempotentAsync(Func<Task> call) =>
        RetryIdempotentAsync(async () =>
        {
            await call().ConfigureAwait(false);
            return true;
        });

    /// <summary>
    /// Retries a hand-off to a session grain on any failure, not only a transient one: the grain keeps each message
    /// once and ignores a repeat of a hand-back for an epoch it has released, so a call that ran and failed halfway
    /// (a storage write, say) can be sent again. The caller counts what is lost when the retries are spent.
    /// </summary>
    public static Task RetryHandOffAsync(Func<Task> call) =>
        RunAsync(
            async () =>
            {
                await call().ConfigureAwait(false);
                return true;
            },
            retryTimeouts: true,
            retryAny: true);

    private static async Task<T> RunAsync<T>(Func<Task<T>> call, bool retryTimeouts, bool retryAny = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (Exception exception) when (attempt < Delays.Length && (retryAny || IsTransient(exception, retryTimeouts)))
            {
                await Task.Delay(Delays[attempt]).ConfigureAwait(false);
            }
        }
    }

    private static bool IsTransient(Exception exception, bool retryTimeouts) =>
        exception is OrleansMessageRejectionException or SiloUnavailableException ||
        (retryTimeouts && exception is TimeoutException);
}
