using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Keeps the session registry partitions active: when the silo starts (so their timers fire the wills and expiries
/// due while the node was down, and check the sessions that were online then) and every
/// <see cref="KeepActiveInterval"/> after (so a partition lost with its silo resumes elsewhere). No session is
/// activated for this: offline routes come back from the partitions when the route index starts.
/// </summary>
public sealed partial class SessionRestorer(IGrainFactory grainFactory, TimeProvider timeProvider, ILogger<SessionRestorer> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan KeepActiveInterval = TimeSpan.FromMinutes(1);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionRestorer), ServiceLifecycleStage.Active + 1, StartAsync, StopAsync);

    public void Dispose() => _stopping.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await KeepActiveAsync();
        _loop = LoopAsync();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(KeepActiveInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await KeepActiveAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task KeepActiveAsync()
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, ISessionRegistryGrain.Partitions)
                .Select(p => grainFactory.GetGrain<ISessionRegistryGrain>(p).KeepActiveAsync()));
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            LogKeepActiveFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activating the session registry partitions failed; retrying in a minute")]
    private partial void LogKeepActiveFailed(Exception exception);
}
