using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Keeps the session registry partitions active: when the silo starts (so their timers fire the wills and expiries
/// due while the node was down, and check the sessions that were online then) and every
/// <see cref="KeepActiveInterval"/> after (so a partition lost with its silo resumes elsewhere). No session is
/// activated for this: offline routes come back from the partitions when the route index starts.
/// </summary>
public sealed partial class SessionRestorer(IGrainFactory grainFactory, TimeProvider timeProvider, ILogger<SessionRestorer> logger)
    : PeriodicSiloWork(KeepActiveInterval, timeProvider, ServiceLifecycleStage.Active + 1)
{
    public static readonly TimeSpan KeepActiveInterval = TimeSpan.FromMinutes(1);

    /// <summary>A failure, also at start, is logged: the next round tries again.</summary>
    protected override async Task RoundAsync()
    {
        try
        {
            await Task.WhenAll(Enumerable.Range(0, ISessionRegistryGrain.Partitions)
                .Select(p => grainFactory.GetGrain<ISessionRegistryGrain>(p).KeepActiveAsync()));
        }
        catch (Exception exception) when (!IsStopping)
        {
            RoundFailed(exception);
        }
    }

    protected override void RoundFailed(Exception exception) => LogKeepActiveFailed(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Activating the session registry partitions failed; retrying in a minute")]
    private partial void LogKeepActiveFailed(Exception exception);
}
