using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// One partition of the persistent-session list (see <see cref="ISessionRegistryGrain"/>): the stored entries, and the
/// one timer that checks the sessions whose will or expiry is due. Reentrant: the sessions it checks call it back to
/// report their next entry, and writes are coalesced (<see cref="CoalescedStateWriter"/>), so a burst of sessions
/// going offline costs a few writes of the partition, not one each.
/// </summary>
[Reentrant]
public sealed partial class SessionRegistryGrain(
    [PersistentState("sessions", StorageNames.Broker)] IPersistentState<SessionRegistryState> state,
    TimeProvider timeProvider,
    ActivationGauges<SessionRegistryGrain> gauges,
    ILogger<SessionRegistryGrain> logger) : Grain, ISessionRegistryGrain
{
    /// <summary>Sessions checked at once in one round.</summary>
    private const int CheckConcurrency = 64;

    /// <summary>The longest single wait of the timer: a .NET timer waits at most about 49.7 days, MQTT 5 expiries go
    /// up to 136 years (3.1.2.11.2). Longer waits are taken in steps.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(7);

    /// <summary>When a session was checked and is still due (its call failed, or its silo's clock is behind), the
    /// next try.</summary>
    private static readonly TimeSpan RecheckDelay = TimeSpan.FromSeconds(5);

    private CoalescedStateWriter? _writer;
    private ITimer? _timer;
    private long? _timerDueAt;
    private bool _checking;

    /// <summary>Whether the sessions listed as owned by a connection are still to be checked: after an activation
    /// (the node may have restarted under them) and when a new route index asks for the routes.</summary>
    private bool _checkOnline = true;

    private long _offline;
    private long _queued;

    /// <summary>Offline sessions listed here, for the gauges (read off the grain's scheduler).</summary>
    internal long OfflineCount => Volatile.Read(ref _offline);

    /// <summary>Messages queued for them, as last reported.</summary>
    internal long QueuedCount => Volatile.Read(ref _queued);

    private Dictionary<string, SessionRegistryEntry> Sessions => state.State.Sessions;

    private long Now => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The timer must outlive idle collection.
        DelayDeactivation(TimeSpan.FromDays(3650));
        _writer = new CoalescedStateWriter(state.WriteStateAsync);
        if (state.State.ClientIds.Count > 0)
        {
            foreach (var clientId in state.State.ClientIds)
            {
                Sessions.TryAdd(clientId, new SessionRegistryEntry(0, []));
            }

            state.State.ClientIds.Clear();
            await state.WriteStateAsync();
        }

        foreach (var entry in Sessions.Values)
        {
            Count(entry, 1);
        }

        gauges.Track(this);
        ArmTimer(NextCheck(Now));
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        gauges.Untrack(this);
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    public Task SetAsync(string clientId, SessionRegistryEntry entry)
    {
        var known = Replace(clientId, entry);
        if (known is null || !known.Matches(entry))
        {
            _writer!.Changed();
            if (!_checking && entry.CheckAtUnixMilliseconds is { } at && (_timerDueAt is null || at < _timerDueAt))
            {
                ArmTimer(at);
            }
        }

        return _writer!.FlushAsync();
    }

    public Task SetQueuedAsync(string clientId, int queuedMessages)
    {
        if (Sessions.TryGetValue(clientId, out var known))
        {
            Replace(clientId, known with { QueuedMessages = queuedMessages });
        }

        return Task.CompletedTask;
    }

    public Task RemoveAsync(string clientId)
    {
        if (Sessions.Remove(clientId, out var known))
        {
            Count(known, -1);
            _writer!.Changed();
        }

        return _writer!.FlushAsync();
    }

    public Task<string[]> GetClientIdsAsync() => Task.FromResult(Sessions.Keys.ToArray());

    public Task<Dictionary<string, string[]>> GetOfflineRoutesAsync()
    {
        _checkOnline = true;
        if (!_checking)
        {
            ArmTimer(NextCheck(Now));
        }

        return Task.FromResult(Sessions
            .Where(s => s.Value.OfflineFilters.Length > 0)
            .ToDictionary(s => s.Key, s => s.Value.OfflineFilters, StringComparer.Ordinal));
    }

    public Task KeepActiveAsync() => Task.CompletedTask;

    public async Task CheckDueSessionsAsync()
    {
        _timerDueAt = null;
        if (_checking)
        {
            return; // The round running re-arms the timer when it ends.
        }

        _checking = true;
        var due = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var now = Now;
            var checkOnline = _checkOnline;
            _checkOnline = false;
            due.UnionWith(Sessions
                .Where(s => s.Value.CheckAtUnixMilliseconds <= now || (checkOnline && s.Value.CheckAtUnixMilliseconds is null))
                .Select(s => s.Key));
            foreach (var chunk in due.Chunk(CheckConcurrency))
            {
                await Task.WhenAll(chunk.Select(CheckAsync));
            }
        }
        finally
        {
            _checking = false;
            ArmTimer(NextCheck(Now, due));
        }
    }

    /// <summary>
    /// The sessions' earliest due moment: now when sessions listed as online are still to be checked; a session
    /// <paramref name="justChecked"/> that is still due is tried again after <see cref="RecheckDelay"/>.
    /// </summary>
    private long? NextCheck(long now, IReadOnlySet<string>? justChecked = null)
    {
        long? next = null;
        foreach (var (clientId, entry) in Sessions)
        {
            if (entry.CheckAtUnixMilliseconds is not { } at)
            {
                if (_checkOnline)
                {
                    return now;
                }

                continue;
            }

            if (at <= now && justChecked?.Contains(clientId) == true)
            {
                at = now + (long)RecheckDelay.TotalMilliseconds;
            }

            if (next is null || at < next)
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>Sets an entry and keeps the gauges' counts; returns the entry it replaced.</summary>
    private SessionRegistryEntry? Replace(string clientId, SessionRegistryEntry entry)
    {
        if (Sessions.Remove(clientId, out var known))
        {
            Count(known, -1);
        }

        Sessions[clientId] = entry;
        Count(entry, 1);
        return known;
    }

    private void Count(SessionRegistryEntry entry, int sign)
    {
        if (entry.CheckAtUnixMilliseconds is not null)
        {
            Interlocked.Add(ref _offline, sign);
            Interlocked.Add(ref _queued, sign * entry.QueuedMessages);
        }
    }

    private void ArmTimer(long? dueAt)
    {
        _timer?.Dispose();
        _timer = null;
        _timerDueAt = dueAt;
        if (dueAt is not { } at)
        {
            return;
        }

        var delay = TimeSpan.FromMilliseconds(Math.Clamp(at - Now, 0, (long)MaxStep.TotalMilliseconds));
        var self = this.AsReference<ISessionRegistryGrain>();
        _timer = timeProvider.CreateTimer(_ => _ = self.CheckDueSessionsAsync(), null, delay, Timeout.InfiniteTimeSpan);
    }

    private async Task CheckAsync(string clientId)
    {
        try
        {
            await GrainFactory.GetGrain<ISessionGrain>(clientId).CheckTimersAsync();
        }
        catch (Exception exception)
        {
            LogCheckFailed(clientId, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Persistent session '{ClientId}' could not be checked for its will delay or expiry; retrying")]
    private partial void LogCheckFailed(string clientId, Exception exception);
}
