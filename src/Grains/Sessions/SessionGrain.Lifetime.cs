namespace MqttCluster.Grains.Sessions;

/// <summary>
/// The session's lifetime once its connection is gone: the will and its delay, expiry, and the end of the session.
/// An offline session lives in storage: each call that leaves it offline ends with the activation going, and its
/// registry partition (<see cref="SessionRegistryGrain"/>) keeps its next due moment and offline routes, checks it
/// when that moment comes and gives the routes to a route index that starts afresh.
/// </summary>
public sealed partial class SessionGrain
{
    /// <summary>Set while this session publishes its will: the will may come back to it (call chain reentrancy) while
    /// the call publishing it is still running, and the activation must not go under that call.</summary>
    private bool _publishingWill;

    public async Task CheckTimersAsync()
    {
        if (!State.Persistent)
        {
            // Listed without a stored session (it ended, or was never written): nothing to check.
            await _listing.RemoveAsync();
            return;
        }

        if (_ownership.IsOnline)
        {
            // Owned by a connection (also after a restart, when re-activated): nothing is due while it is.
            await _listing.ReportAsync(State, offline: false);
            return;
        }

        if (State.DisconnectedAtUnixMilliseconds is null)
        {
            State.DisconnectedAtUnixMilliseconds = Now;
            await _stored.WriteStateAsync();
        }

        if (!await CheckTimersCoreAsync())
        {
            // Routes and registry entry in step (also for an entry listed before entries were kept).
            await SetOfflineRoutesAsync(register: true);
        }

        DeactivateIfOffline();
    }

    /// <summary>The connection ended (<paramref name="resumed"/>: after it took the stored messages): its
    /// unfinished messages are merged, the will is published or scheduled, and the session queues or ends.</summary>
    private async Task GoOfflineAsync(SessionHandoff handoff, bool resumed)
    {
        _queue.Merge(State, handoff, resumed);
        if (handoff.SessionExpiryInterval is { } expiry)
        {
            State.SessionExpiryInterval = _options.CapExpiry(expiry);
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
        // session already queueing. The registry entry (with the due moment) is written with the routes.
        State.Persistent = true;
        State.OfflineRoutesRegistered = false;
        await SetOfflineRoutesAsync(register: true);
        await _stored.WriteStateAsync();
        if (publishWillNow)
        {
            await PublishWillAsync();
            await _stored.WriteStateAsync();
        }

        DeactivateIfOffline();
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

    /// <summary>An offline session lives in storage: the activation goes once the current call is done.</summary>
    private void DeactivateIfOffline()
    {
        if (!_ownership.IsOnline && !_publishingWill)
        {
            DeactivateOnIdle();
        }
    }

    private async Task PublishWillAsync()
    {
        var will = State.Will!;
        State.Will = null;
        State.WillDueAtUnixMilliseconds = null;
        var message = SessionTimetable.WillMessage(will, State.WillMessageExpiryInterval, Now);
        _publishingWill = true;
        try
        {
            // The will may match this session's own offline route; let that call come back into this grain.
            using var reentrancy = RequestContext.AllowCallChainReentrancy();
            await GrainReferences.Get<ITopicGrain>(GrainFactory, message.Topic).PublishAsync([message]);
            SessionLog.WillPublished(_logger, ClientId, message.Topic);
        }
        catch (Exception exception)
        {
            SessionLog.WillFailed(_logger, ClientId, message.Topic, exception);
        }
        finally
        {
            _publishingWill = false;
        }
    }

    /// <summary>Ends the session: optional will, routes and registry entry removed, stored state deleted.</summary>
    private async Task EndSessionAsync(bool publishPendingWill)
    {
        await SetOfflineRoutesAsync(register: false);
        if (publishPendingWill && State.Will is not null && !_ownership.IsOnline)
        {
            await PublishWillAsync();
        }

        // The stored state first, the registry entry last: a crash between the two leaves an entry whose check
        // finds no session and removes it, never a session nothing checks.
        if (State.Persistent)
        {
            await _stored.ClearStateAsync();
            await _listing.RemoveAsync();
        }

        ResetState();
    }

    private void ResetState()
    {
        _stored.State = new SessionState();
        _gaugeState = _stored.State;
        _queue.Reset();
    }

    private Task SetOfflineRoutesAsync(bool register) =>
        _listing.SetOfflineRoutesAsync(State, offline: !_ownership.IsOnline, register);
}
