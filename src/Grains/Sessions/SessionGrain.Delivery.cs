namespace MqttCluster.Grains.Sessions;

/// <summary>Messages for the session that do not come through its connection's own routes: the offline queue
/// and rescued deliveries.</summary>
public sealed partial class SessionGrain
{
    public async Task EnqueueAsync(BrokerMessage[] messages)
    {
        // Not (or no longer) offline: the live connection's own routes deliver these.
        if (State.Persistent && _ownership.Phase != SessionPhase.Online)
        {
            await QueueAsync(messages, enforceLimit: !_ownership.IsOnline);
        }

        DeactivateIfOffline();
    }

    public async Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch)
    {
        if (!State.Persistent)
        {
            return;
        }

        // Online: the connection serving the session now gets them, whether it is the one they were for (its gateway
        // may have taken the delivery after all, and then skips them) or a newer one.
        if (_ownership.Phase == SessionPhase.Online && await DeliverToConnectionAsync(messages, epoch == _ownership.Epoch ? batch : null))
        {
            return;
        }

        // The connection they were for cannot be reached (its gateway most likely died): the next resume, by
        // takeover elsewhere or after the gateway is declared dead, sends them.
        SessionLog.Rescued(_logger, ClientId, messages.Length);
        await QueueAsync(messages, enforceLimit: true);
        DeactivateIfOffline();
    }

    /// <summary>The unfinished messages of a connection that was taken over, handed back after its successor
    /// connected; a QoS 2 message its client already received (PUBREC) is not sent again.</summary>
    private async Task RescueLateHandoffAsync(long epoch, SessionHandoff handoff)
    {
        BrokerMessage[] unfinished = [.. handoff.Inflight.Where(m => !m.Released).Concat(handoff.Pending).Select(m => m.Message)];
        if (unfinished.Length > 0)
        {
            await RescueAsync(epoch, unfinished, batch: null);
        }
    }

    /// <summary>
    /// Hands rescued messages to the connection that serves the session now, except those it received with its
    /// resume (its gateway also skips a <paramref name="batch"/> it took, and its ledger messages it was given
    /// already). False when it could not be reached; the session keeps them then.
    /// </summary>
    private async Task<bool> DeliverToConnectionAsync(BrokerMessage[] messages, DeliveryBatch? batch)
    {
        var missing = _queue.MissingFromConnection(State, messages);
        if (missing.Length == 0)
        {
            return true;
        }

        try
        {
            if (_ownership.Gateway is { } owner && await owner.DeliverRescuedAsync(ClientId, _ownership.Epoch, missing, batch).WaitAsync(TakeOverTimeout))
            {
                SessionLog.RescuedToConnection(_logger, ClientId, missing.Length);
                return true;
            }
        }
        catch (Exception exception)
        {
            SessionLog.RescueToConnectionFailed(_logger, ClientId, exception);
        }

        return false;
    }

    private async Task QueueAsync(BrokerMessage[] messages, bool enforceLimit)
    {
        if (_queue.Queue(State, messages, Now, enforceLimit))
        {
            await _stored.WriteStateAsync();
            await _listing.ReportQueuedAsync(State);
        }
    }
}
