using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Sends a bridge's outbox over its connections through the client session (<see cref="BridgeOutgoingSession"/>),
/// which outlives them: resumes it on each new connection, then works in rounds — take the acknowledgements that
/// came, start what the window has room for, store the session when a QoS 2 message starts or is released, send the
/// round's packets in order. Counts what the remote took. Used on the grain's scheduler only.
/// </summary>
internal sealed partial class BridgeOutboxSender(
    BridgeOptions options,
    BridgeOutbox outbox,
    BridgeConnectionHooks hooks,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger logger)
{
    private static readonly TimeSpan StopDrain = TimeSpan.FromSeconds(5);

    private readonly BridgeOutgoingSession _session = new(outbox);
    private long _lastActivity;

    public long Sent { get; private set; }

    /// <summary>When a message last went either way (for <c>idle_timeout</c>).</summary>
    public long LastActivity => Volatile.Read(ref _lastActivity);

    public int InFlight => _session.InFlight;

    public BridgePacketIds Ids => _session.Ids;

    public void Touch() => Volatile.Write(ref _lastActivity, timeProvider.GetTimestamp());

    /// <summary>The connection-state notification for the remote, or null when it gets none.</summary>
    public MqttPublishPacket? Notification(bool up) =>
        options.Notifications && !options.NotificationsLocalOnly ? _session.Notification(options.EffectiveNotificationTopic, up) : null;

    /// <summary>
    /// Resumes the client session on a new connection: what was in flight goes again (DUP PUBLISH, PUBREL) when the
    /// remote kept the session, or starts over when it did not; a message released before is then done.
    /// </summary>
    public void Resume(BridgeRemote remote)
    {
        var completed = new List<BridgeQueuedMessage>();
        var again = _session.Resume(remote.SessionPresent, remote.IsMqtt5, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), completed);
        foreach (var message in completed)
        {
            Finished(message, accepted: true);
        }

        foreach (var packet in again)
        {
            remote.Send(packet);
        }

        if (again.Count > 0)
        {
            LogResumed(options.Name, again.Count);
        }
    }

    /// <summary>
    /// One round: the acknowledgements that came, then (when <paramref name="startNew"/>) what may start, in the
    /// outbox's order; sent after storing the session if a QoS 2 message started or was released, so the
    /// identifiers the remote knows survive a restart of this broker. False when there was nothing to send.
    /// </summary>
    public async Task<bool> SendRoundAsync(BridgeRemote remote, bool startNew)
    {
        var round = new List<MqttPacket>();
        var store = TakeAcknowledgements(remote, round);
        var now = timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        while (startNew && _session.Next(remote.SendWindow) is { } node)
        {
            var publish = _session.Start(node, remote.IsMqtt5, now);
            store |= publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.ExactlyOnce;
            if (publish.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce)
            {
                Sent++;
            }

            round.Add(publish);
        }

        if (round.Count == 0)
        {
            return false;
        }

        if (store)
        {
            await hooks.StoreAsync();
        }

        foreach (var packet in round)
        {
            remote.Send(packet);
        }

        Touch();
        return true;
    }

    /// <summary>
    /// A stop starts nothing more but waits (at most <see cref="StopDrain"/>, as a gateway's goodbye does) for the
    /// remote's acknowledgements of what it was already sent (releasing QoS 2 messages as their PUBRECs come), so
    /// those messages leave the outbox instead of going out again after a start.
    /// </summary>
    public async Task FinishSentAsync(BridgeRemote remote)
    {
        var deadline = Task.Delay(StopDrain, timeProvider);
        while (_session.InFlight > 0 && !remote.Lost.IsCompleted && !deadline.IsCompleted)
        {
            if (!await SendRoundAsync(remote, startNew: false))
            {
                await Task.WhenAny(remote.Acknowledgements.WaitToReadAsync(CancellationToken.None).AsTask(), remote.Lost, deadline);
            }
        }
    }

    /// <summary>
    /// Applies the acknowledgements that came: finished messages leave the outbox, PUBRELs join
    /// <paramref name="round"/>. True when one was added (it needs the session stored first).
    /// </summary>
    private bool TakeAcknowledgements(BridgeRemote remote, List<MqttPacket> round)
    {
        var released = false;
        while (remote.Acknowledgements.TryRead(out var packet))
        {
            var done = packet switch
            {
                MqttPubAckPacket ack => _session.Acknowledged(ack),
                MqttPubCompPacket completed => _session.Completed(completed),
                _ => null,
            };
            if (packet is MqttPubRecPacket received)
            {
                var (release, refused) = _session.Received(received);
                done = refused;
                if (release is not null)
                {
                    round.Add(release);
                    released = true;
                }
            }

            if (done is var (message, accepted))
            {
                Finished(message, accepted);
            }
        }

        return released;
    }

    /// <summary>The remote is done with a QoS 1/2 message (it left the outbox).</summary>
    private void Finished(BridgeQueuedMessage message, bool accepted)
    {
        if (!accepted)
        {
            // The remote answered with an error reason (MQTT 5): sending it again would get the same answer and
            // hold back everything behind it.
            metrics.MessagesDropped(DropReasons.BridgeRefused);
            LogRefused(options.Name, message.RemoteTopic);
        }
        else
        {
            Sent++;
        }

        Touch();
        hooks.Acknowledged();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge}: {Count} message(s) in flight sent again under their packet identifiers (DUP PUBLISH or PUBREL)")]
    private partial void LogResumed(string bridge, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: the remote refused a message on '{Topic}'; dropped")]
    private partial void LogRefused(string bridge, string topic);
}
