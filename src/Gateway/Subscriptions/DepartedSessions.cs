using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// Persistent sessions whose connection on this gateway ended a moment ago, with their filters. A topic grain may
/// have queued deliveries for this gateway before the session's offline routes existed; when they arrive after the
/// connection removed its subscriptions, the QoS 1/2 ones go to the session grain (which keeps each message once)
/// instead of nowhere, and the delivery is answered only once the grain has them (see <see cref="DeliveryWaits"/>).
/// Entries last <see cref="GracePeriod"/>. The filters are in a topic trie, so a delivery looks only at the departed
/// sessions its topic matches, however many left in the last <see cref="GracePeriod"/>; entries leave in the order
/// they came (all last as long), so expiry is a queue; the set is empty, and costs nothing, in steady state.
/// </summary>
public sealed partial class DepartedSessions(IBrokerCluster cluster, TimeProvider timeProvider, ILogger<DepartedSessions> logger)
{
    /// <summary>As long as a late copy can come (the redelivery horizon): a batch planned before the session left
    /// can arrive after its retries (delivery.md A.8 problem 5 was a 10 s grace, shorter than those).</summary>
    public static readonly TimeSpan GracePeriod = Core.Delivery.RedeliveryHorizon.Length;

    private readonly Lock _lock = new();
    private readonly TopicTrie<DepartedSession> _filters = new();
    private readonly Dictionary<string, List<DepartedSession>> _byClient = new(StringComparer.Ordinal);
    private readonly Queue<DepartedSession> _byAge = new();
    private int _count;

    public void Add(string clientId, long epoch, IEnumerable<string> filters)
    {
        var plain = filters.Where(f => !TopicFilter.TryParseShared(f, out _, out _)).ToArray();
        if (plain.Length == 0)
        {
            return;
        }

        var now = timeProvider.GetTimestamp();
        var session = new DepartedSession(clientId, epoch, plain, now + (long)(GracePeriod.TotalSeconds * timeProvider.TimestampFrequency));
        lock (_lock)
        {
            RemoveExpired(now);
            var sessions = CollectionsMarshal.GetValueRefOrAddDefault(_byClient, clientId, out _) ??= [];
            if (sessions.Exists(s => s.Epoch == epoch))
            {
                return;
            }

            sessions.Add(session);
            foreach (var filter in plain)
            {
                _filters.Add(filter, session);
            }

            _byAge.Enqueue(session);
            Volatile.Write(ref _count, _byAge.Count);
        }
    }

    /// <summary>The client is back on this gateway: its new connection's own subscriptions take over.</summary>
    public void Forget(string clientId)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_byClient.Remove(clientId, out var sessions))
            {
                foreach (var session in sessions)
                {
                    RemoveFilters(session);
                }
            }

            RemoveExpired(timeProvider.GetTimestamp());
        }
    }

    /// <summary>Hands <paramref name="message"/> to every departed session it was meant for; the delivery waits.</summary>
    public void Rescue(BrokerMessage message, ref DeliveryWaits waits)
    {
        if (Volatile.Read(ref _count) == 0 || message.QualityOfService == 0)
        {
            return;
        }

        List<DepartedSession>? matched = null;
        lock (_lock)
        {
            RemoveExpired(timeProvider.GetTimestamp());
            _filters.Match(message.Topic, (_, session) =>
            {
                matched ??= [];
                if (!matched.Contains(session))
                {
                    matched.Add(session);
                }
            });
        }

        foreach (var session in matched ?? [])
        {
            waits.AddHandOff(RescueAsync(session.ClientId, session.Epoch, message));
        }
    }

    /// <summary>Drops the entries whose grace has passed (the oldest first: all last as long). Under the lock.</summary>
    private void RemoveExpired(long now)
    {
        while (_byAge.TryPeek(out var oldest) && (oldest.Until < now || oldest.Forgotten))
        {
            _byAge.Dequeue();
            if (!oldest.Forgotten)
            {
                RemoveFilters(oldest);
                if (_byClient.TryGetValue(oldest.ClientId, out var sessions) && sessions.Remove(oldest) && sessions.Count == 0)
                {
                    _byClient.Remove(oldest.ClientId);
                }
            }
        }

        if (_byAge.Count == 0)
        {
            // A burst of departures leaves no table sized for its peak behind.
            _byAge.TrimExcess();
            _byClient.TrimExcess();
        }

        Volatile.Write(ref _count, _byAge.Count);
    }

    private void RemoveFilters(DepartedSession session)
    {
        session.Forgotten = true;
        foreach (var filter in session.Filters)
        {
            _filters.Remove(filter, session);
        }
    }

    /// <summary>The session keeps each message once, so the call is tried again while the cluster is changing; a
    /// failure fails the delivery, which the topic grain retries and then rescues.</summary>
    private async Task RescueAsync(string clientId, long epoch, BrokerMessage message)
    {
        try
        {
            await TransientClusterFailure.RetryHandOffAsync(() => cluster.Session(clientId).RescueAsync(epoch, [message], batch: null)).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogRescueFailed(clientId, message.Topic, exception);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A QoS 1/2 message on '{Topic}' for the departed session of '{ClientId}' could not be handed to the session; the delivery fails and the topic grain tries again")]
    private partial void LogRescueFailed(string clientId, string topic, Exception exception);

    /// <summary>One departed connection of a session: its epoch, its plain filters, and until when it is kept.</summary>
    private sealed class DepartedSession(string clientId, long epoch, string[] filters, long until)
    {
        public string ClientId { get; } = clientId;

        public long Epoch { get; } = epoch;

        public string[] Filters { get; } = filters;

        public long Until { get; } = until;

        /// <summary>Taken out of the trie (its client came back, or its grace passed); still in the age queue.</summary>
        public bool Forgotten { get; set; }
    }
}
