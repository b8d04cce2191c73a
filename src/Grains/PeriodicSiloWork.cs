namespace MqttCluster.Grains;

/// <summary>
/// Work a silo does once when it reaches its lifecycle stage and then every interval until it stops: the loop of a
/// silo lifecycle participant (keeping the bridges running, the session registry partitions active, the route
/// replica in step). The first round runs in the start stage and a failure there fails the start; a later round's
/// failure goes to <see cref="RoundFailed"/> and the next round comes at the next tick. Stopping waits for the round
/// running.
/// </summary>
public abstract class PeriodicSiloWork(TimeSpan interval, TimeProvider timeProvider, int stage) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <summary>Whether the silo is stopping (a round's failure then is expected, not worth a warning).</summary>
    protected bool IsStopping => _stopping.IsCancellationRequested;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(GetType().Name, stage, StartAsync, StopAsync);

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>One round of the work.</summary>
    protected abstract Task RoundAsync();

    /// <summary>A round after the first failed (logged by the participant; the next tick tries again).</summary>
    protected abstract void RoundFailed(Exception exception);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await RoundAsync();
        _loop = LoopAsync();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                try
                {
                    await RoundAsync();
                }
                catch (Exception exception) when (!_stopping.IsCancellationRequested)
                {
                    RoundFailed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
