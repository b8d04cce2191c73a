using System.Collections.Concurrent;
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
/// Entries last <see cref="GracePeriod"/>; the set is empty, and costs nothing, in steady state.
/// </summary>
public sealed partial class DepartedSessions(IBrokerCluster cluster, TimeProvider timeProvider, ILogger<DepartedSessions> logger)
{
    /// <summary>As long as a late copy can come (the redelivery horizon): a batch planned before the session left
    /// can arrive after its retries (delivery.md A.8 problem 5 was a 10 s grace, shorter than those).</summary>
    public static readonly TimeSpan GracePeriod = Core.Delivery.RedeliveryHorizon.Length;

    private readonly ConcurrentDictionary<(string ClientId, long Epoch), (string[] Filters, long Until)> _departed = new();
    private int _count;

    public void Add(string clientId, long epoch, IEnumerable<string> filters)
    {
        var plain = filters.Where(f => !TopicFilter.TryParseShared(f, out _, out _)).ToArray();
        if (plain.Length > 0)
        {
            var until = timeProvider.GetTimestamp() + (long)(GracePeriod.TotalSeconds * timeProvider.TimestampFrequency);
            if (_departed.TryAdd((clientId, epoch), (plain, until)))
            {
                Interlocked.Increment(ref _count);
            }
        }
    }

    /// <summary>The client is back on this gateway: its new connection's own subscriptions take over.</summary>
    public void Forget(string clientId)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        foreach (var session in _departed.Keys.Where(k => k.ClientId == clientId))
        {
            if (_departed.TryRemove(session, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    /// <summary>Hands <paramref name="message"/> to every departed session it was meant for; the delivery waits.</summary>
    public void Rescue(BrokerMessage message, ref DeliveryWaits waits)
    {
        if (Volatile.Read(ref _count) == 0 || message.QualityOfService == 0)
        {
            return;
        }

        var now = timeProvider.GetTimestamp();
        foreach (var (session, (filters, until)) in _departed)
        {
            if (until < now)
            {
                if (_departed.TryRemove(session, out _))
                {
                    Interlocked.Decrement(ref _count);
                }
            }
            else if (Array.Exists(filters, f => TopicFilter.Matches(f, message.Topic)))
            {
                waits.AddHandOff(RescueAsync(session.ClientId, session.Epoch, message));
            }
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
}
