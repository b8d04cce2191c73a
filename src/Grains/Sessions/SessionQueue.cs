using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// A persistent session's stored messages: the offline queue (bounded, the newest dropped and counted, each message
/// once), the messages a connection had in flight, and the inbound QoS 2 ids; what a resume hands out and how a
/// connection's hand-back merges into it. Works on the grain's <see cref="SessionState"/>; the grain writes it.
/// </summary>
internal sealed class SessionQueue(string clientId, SessionOptions options, BrokerMetrics metrics, ILogger logger)
{
    private HashSet<Guid>? _queuedIds;

    /// <summary>Queues the messages this session subscribes to, once each. True when the state changed.</summary>
    public bool Queue(SessionState state, BrokerMessage[] messages, long now, bool enforceLimit)
    {
        var queuedIds = _queuedIds ??= [.. state.Queue.Select(m => m.Message.MessageId).Concat(state.Inflight.Select(m => m.Message.MessageId))];
        var changed = false;
        foreach (var message in messages)
        {
            if (message.ExpiresAtUnixMilliseconds <= now ||
                (message.MessageId != Guid.Empty && queuedIds.Contains(message.MessageId)) ||
                SessionMessageMatcher.Match(clientId, state.Subscriptions.Values, message) is not { } queued ||
                (queued.QualityOfService == 0 && !options.QueueQos0Messages))
            {
                continue;
            }

            if (enforceLimit && state.Queue.Count >= options.MaxQueuedMessages)
            {
                // Policy: keep the oldest, drop the newest (as Mosquitto does), and count it. Only while the client
                // is away: while a connection is taking the session over the queue is about to drain to it.
                state.DroppedMessages++;
                metrics.MessagesDropped(DropReasons.OfflineQueueFull);
                changed = true;
                if (state.DroppedMessages == 1 || state.DroppedMessages % 1000 == 0)
                {
                    SessionLog.QueueFull(logger, clientId, options.MaxQueuedMessages, state.DroppedMessages);
                }

                continue;
            }

            state.Queue.Add(queued);
            queuedIds.Add(message.MessageId);
            changed = true;
        }

        return changed;
    }

    /// <summary>Hands the stored messages to a resuming connection and clears them from the state; the resume is
    /// kept in the state (<see cref="SessionState.HandedOut"/>) until that connection hands back.</summary>
    public SessionResume TakeForResume(SessionState state)
    {
        var resume = new SessionResume
        {
            Inflight = [.. state.Inflight],
            Queued = [.. state.Queue],
            InboundQos2 = [.. state.InboundQos2],
        };
        state.Inflight.Clear();
        state.Queue.Clear();
        state.InboundQos2.Clear();
        _queuedIds = null;
        state.HandedOut = resume;
        return resume;
    }

    /// <summary>
    /// The messages of <paramref name="messages"/> the connection serving the session now should get: QoS 1/2 ones
    /// it subscribes to, except those it received with its resume.
    /// </summary>
    public OutboundMessage[] MissingFromConnection(SessionState state, BrokerMessage[] messages)
    {
        var handedOut = state.HandedOut is { } resume
            ? resume.Queued.Concat(resume.Inflight).Select(m => m.Message.MessageId).ToHashSet()
            : [];
        return messages
            .Where(m => m.QualityOfService > 0 && !handedOut.Contains(m.MessageId))
            .Select(m => SessionMessageMatcher.Match(clientId, state.Subscriptions.Values, m))
            .OfType<OutboundMessage>()
            .Where(m => m.QualityOfService > 0)
            .ToArray();
    }

    /// <summary>
    /// Takes the unfinished state of a connection that ended. What it had pending goes before what the session
    /// queued meanwhile (it arrived first); a message that reached both is kept once. A connection that ended
    /// before it took the stored state (taken over or dropped while restoring) never sent any of it: the stored
    /// unacknowledged messages, queue and inbound QoS 2 ids stay, and what it held back comes after them.
    /// <paramref name="resumed"/>: the connection had been given the stored messages.
    /// </summary>
    public void Merge(SessionState state, SessionHandoff handoff, bool resumed)
    {
        var (inflight, older, newer, inboundQos2) = (resumed, handoff.ResumeApplied, state.HandedOut) switch
        {
            // The connection was given the stored messages but never took them in (taken over or closed while
            // restoring): they go back first, then what the connection did get.
            (true, false, { } handedOut) => (
                (OutboundMessage[])[.. handedOut.Inflight, .. handoff.Inflight],
                (OutboundMessage[])[.. handedOut.Queued, .. handoff.Pending],
                state.Queue.ToArray(),
                (ushort[])[.. handedOut.InboundQos2.Union(handoff.InboundQos2)]),
            (true, _, _) => (handoff.Inflight, handoff.Pending, state.Queue.ToArray(), handoff.InboundQos2),
            _ => ([.. state.Inflight, .. handoff.Inflight], state.Queue.ToArray(), handoff.Pending, [.. state.InboundQos2.Union(handoff.InboundQos2)]),
        };
        state.HandedOut = null;

        var seen = new HashSet<Guid>(inflight.Select(m => m.Message.MessageId));
        var merged = new List<OutboundMessage>(older.Length + newer.Length);
        foreach (var message in older.Concat(newer))
        {
            if (message.Message.MessageId == Guid.Empty || seen.Add(message.Message.MessageId))
            {
                merged.Add(message);
            }
        }

        state.Inflight = [.. inflight];
        state.Queue = merged;
        state.InboundQos2 = [.. inboundQos2];
        _queuedIds = null;
    }

    /// <summary>The state was replaced (a clean start, or the session ended).</summary>
    public void Reset() => _queuedIds = null;
}
