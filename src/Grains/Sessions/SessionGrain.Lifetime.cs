namespace MqttCluster.Grains.Sessions;

/// <summary>The session's lifetime once its connection is gone: the will and its delay, expiry, the timer for
/// both, and the end of the session.</summary>
public sealed partial class SessionGrain
{
    public async Task WakeAsync()
    {
        if (!State.Persistent)
        {
            await Registry.RemoveAsync(ClientId);
            return;
        }

        if (_phase != SessionPhase.Offline)
        {
            return;
        }

        State.DisconnectedAtUnixMilliseconds ??= Now;
        if (await CheckTimersCoreAsync())
        {
            return;
        }

        State.OfflineRoutesRegistered = false;
        await SetOfflineRoutesAsync(register: true);
        ScheduleTimer();
    }

    public async Task CheckTimersAsync()
    {
        if (_phase == SessionPhase.Offline && !await CheckTimersCoreAsync())
        {
            ScheduleTimer();
        }
    }

    /// <summary>The connection ended (<paramref name="resumed"/>: after it took the stored messages): its
    /// unfinished messages are merged, the will is published or scheduled, and the session queues or ends.</summary>
    private async Task GoOfflineAsync(SessionHandoff handoff, bool resumed)
    {
        _queue.Merge(State, handoff, resumed);
        if (handoff.SessionExpiryInterval is { } expiry)
        {
            State.SessionExpiryInterval = CapExpiry(expiry);
        }

        var willPending = handoff.Kind is DisconnectKind.Lost or DisconnectKind.WithWill && State.Will is not null;
        if (!willPending)
        {
            State.Will = null;
        }

        if (State.SessionExpiryInterval == 0)
        {
            // The session ends with the connection [MQTT-3.1.2-23]: its will goes now, whatever its delay.
            await EndSessionAsync(publishPendingWill: willPending);
            DeactivateOnIdle();
            return;
        }

        State.DisconnectedAtUnixMilliseconds = Now;
        var publishWillNow = willPending && State.WillDelayInterval == 0;
        if (willPending && !publishWillNow)
        {
            var delay = Math.Min(State.WillDelayInterval, State.SessionExpiryInterval);
            State.WillDueAtUnixMilliseconds = Now + (delay * 1000L);
        }

        // Queue first, then announce: whoever reacts to the will by publishing to this client must find the
        // session already queueing.
        var newlyPersistent = !State.Persistent;
        State.Persistent = true;
        State.OfflineRoutesRegistered = false;
        await SetOfflineRoutesAsync(register: true);
        await _stored.WriteStateAsync();
        if (newlyPersistent)
        {
            await Registry.AddAsync(ClientId);
        }

        if (publishWillNow)
        {
            await PublishWillAsync();
            await _stored.WriteStateAsync();
        }

        ScheduleTimer();
    }

    /// <summary>Publishes a due will and ends an expired session. True when the session ended.</summary>
    private async Task<bool> CheckTimersCoreAsync()
    {
        var now = Now;
        if (State.WillDueAtUnixMilliseconds <= now && State.Will is not null)
        {
            await PublishWillAsync();
            await _stored.WriteStateAsync();
        }

        if (State.ExpiresAtUnixMilliseconds <= now)
        {
            SessionLog.Expired(_logger, ClientId, State.SessionExpiryInterval);
            await EndSessionAsync(publishPendingWill: true);
            DeactivateOnIdle();
            return true;
        }

        return false;
    }

    private void ScheduleTimer()
    {
        _timetable.Cancel();
        if (SessionTimetable.NextDue(State) is not { } next)
        {
            return;
        }

        var self = this.AsReference<ISessionGrain>();
        var due = _timetable.Schedule(next, () => _ = self.CheckTimersAsync());

        // Stay in memory until the timer fires; idle collection would lose it.
        DelayDeactivation(due + TimeSpan.FromMinutes(1));
    }

    private async Task PublishWillAsync()
    {
        var will = State.Will!;
        State.Will = null;
        State.WillDueAtUnixMilliseconds = null;
        var message = SessionTimetable.WillMessage(will, State.WillMessageExpiryInterval, Now);
        try
        {
            // The will may match this session's own offline route; let that call come back into this grain.
            using var reentrancy = RequestContext.AllowCallChainReentrancy();
            await GrainFactory.GetGrain<ITopicGrain>(message.Topic).PublishAsync([message]);
            SessionLog.WillPublished(_logger, ClientId, message.Topic);
        }
        catch (Exception exception)
        {
            SessionLog.WillFailed(_logger, ClientId, message.Topic, exception);
        }
    }

    /// <summary>Ends the session: optional will, routes and registry entry removed, stored state deleted.</summary>
    private async Task EndSessionAsync(bool publishPendingWill)
    {
        await SetOfflineRoutesAsync(register: false);
        if (publishPendingWill && State.Will is not null && _phase == SessionPhase.Offline)
        {
            await PublishWillAsync();
        }

        if (State.Persistent)
        {
            await _stored.ClearStateAsync();
            await Registry.RemoveAsync(ClientId);
        }

        ResetState();
        _timetable.Cancel();
    }

    private void ResetState()
    {
        _stored.State = new SessionState();
        _gaugeState = _stored.State;
        _queue.Reset();
    }

    /// <summary>Registers (offline) or removes (online, ended) the session's non-shared filters as routes.</summary>
    private async Task SetOfflineRoutesAsync(bool register)
    {
        var filters = register
            ? State.Subscriptions.Keys.Where(f => !f.StartsWith("$share/", StringComparison.Ordinal)).ToArray()
            : [];
        if (!register && !State.OfflineRoutesRegistered)
        {
            return;
        }

        await GrainFactory.GetGrain<IRouteIndexGrain>(0).SetSessionRoutesAsync(ClientId, filters);
        State.OfflineRoutesRegistered = filters.Length > 0;
    }
}
