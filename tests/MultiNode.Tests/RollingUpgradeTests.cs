using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// A rolling upgrade as an operator does it with <c>deploy/local/cluster.sh</c>: every node of a 3-silo, 2-gateway
/// cluster restarted one by one (SIGTERM, wait for the exit, start again with the same arguments, wait until ready),
/// silos first, then each gateway, while a QoS 1 publisher sends without pause to a persistent-session QoS 1
/// subscriber. Both clients fail over to the other gateway when theirs restarts, with the same client id and clean
/// start 0. DESIGN's promise: a message acknowledged to the publisher is never lost; and no message reaches the
/// subscriber twice except as a resend with DUP of one it had not acknowledged.
/// </summary>
public sealed class RollingUpgradeTests(ITestOutputHelper output)
{
    private static readonly string[] RestartOrder = ["silo-1", "silo-2", "silo-3", "gateway-1", "gateway-2"];
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan FlowTimeout = TimeSpan.FromSeconds(60);
    private const int MessagesToSeeFlowing = 20;

    [Fact]
    public async Task Restarting_every_node_one_by_one_loses_no_acknowledged_QoS_1_message()
    {
        await using var cluster = await LocalClusterScript.StartAsync(silos: 3, gateways: 2);
        var gateways = cluster.GatewayMqttPorts;
        var topic = $"rolling-upgrade/{Guid.NewGuid():N}";

        // The subscriber starts on gateway 1, the publisher on gateway 2: each gateway restart moves one of them,
        // the last one both.
        await using var subscriber = new FailoverClient(MqttTestClient.NewClientId("rolling-sub"), [gateways[0], gateways[1]], sessionExpirySeconds: 600);
        await subscriber.ConnectAsync();
        var subscribed = await subscriber.Mqtt.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(subscribed.Items).ResultCode);
        await using var publisher = new FailoverClient(MqttTestClient.NewClientId("rolling-pub"), [gateways[1], gateways[0]], sessionExpirySeconds: 0);
        await publisher.ConnectAsync();

        var phases = new List<(string Node, TimeSpan From, TimeSpan To)>();
        await using var stream = QosStream.Start(publisher.Mqtt, topic, Pace);
        await AwaitFlowAsync(subscriber, stream, TimeSpan.Zero, "before the first restart", cluster);
        foreach (var node in RestartOrder)
        {
            var from = TestClock.Now;
            var printed = await cluster.RunAsync("restart", node);
            var to = TestClock.Now;
            phases.Add((node, from, to));
            output.WriteLine($"{from.TotalSeconds,7:0.00} s  restart {node}: {(to - from).TotalSeconds:0.0} s ({string.Join("; ", printed)})");

            // The cluster serves end to end again before the next node goes.
            await AwaitFlowAsync(subscriber, stream, to, $"after the restart of {node}", cluster);
        }

        var sent = await stream.StopAsync();
        var acknowledged = sent.Where(s => s.Acknowledged).ToList();
        var missing = await AwaitAllAsync(subscriber, acknowledged);

        var received = subscriber.Inbox.All;
        var copies = received.GroupBy(m => m.Text).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"published {sent.Count}, acknowledged {acknowledged.Count}, not acknowledged {sent.Count - acknowledged.Count}; " +
            $"received {received.Count} ({copies.Count} distinct, {received.Count - copies.Count} repeated, {received.Count(m => m.Duplicate)} with DUP); " +
            $"acknowledged but not received: {missing.Count}");
        output.WriteLine($"not acknowledged: {Summarise(sent.Where(s => !s.Acknowledged), phases)}");
        output.WriteLine($"received more than once (allowed at QoS 1): {Summarise(sent.Where(s => copies.GetValueOrDefault(s.Payload) > 1), phases)}");
        output.WriteLine($"repeats without DUP (each a new delivery, not a resend of an unacknowledged one): " +
            $"{Summarise(sent.Where(s => received.Where(m => m.Text == s.Payload).Skip(1).Any(m => !m.Duplicate)), phases)}");
        output.WriteLine($"subscriber:\n  {string.Join("\n  ", subscriber.Events)}\npublisher:\n  {string.Join("\n  ", publisher.Events)}");

        Assert.True(
            missing.Count == 0,
            $"{missing.Count} of {acknowledged.Count} acknowledged messages never reached the subscriber: {Summarise(missing, phases)}\n" +
            $"subscriber:\n  {string.Join("\n  ", subscriber.Events)}\n{cluster.Logs(60)}");

        // Repeats are allowed at QoS 1 only as resends of unacknowledged messages (DUP); a second fresh delivery
        // means two routes fed the client (e.g. a re-activated session queueing beside its live connection).
        var freshRepeats = sent.Where(s => received.Where(m => m.Text == s.Payload).Skip(1).Any(m => !m.Duplicate)).ToList();
        Assert.True(freshRepeats.Count == 0, $"{freshRepeats.Count} messages were delivered again without DUP: {Summarise(freshRepeats, phases)}");

        // Every failover resumed the session, and a gateway that was told to stop said so first (v5 reason 0x8B).
        Assert.All(subscriber.Events.Where(e => e.ResumedSessionPresent is not null), e => Assert.True(e.ResumedSessionPresent, $"The subscriber's session was lost: {e}"));
        var goodbyes = subscriber.Events.Concat(publisher.Events).Where(e => e.DisconnectReason is not null).ToList();
        Assert.True(goodbyes.Count >= 3, $"Both gateway restarts should have moved a client, the second one both:\n  {string.Join("\n  ", goodbyes)}");
        Assert.All(goodbyes, e => Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, e.DisconnectReason));
    }

    /// <summary>Waits until <see cref="MessagesToSeeFlowing"/> messages acknowledged after <paramref name="since"/> have arrived.</summary>
    private static async Task AwaitFlowAsync(FailoverClient subscriber, QosStream stream, TimeSpan since, string when, LocalClusterScript cluster)
    {
        await subscriber.Inbox.WaitUntilAsync(
            received =>
            {
                var payloads = received.Select(m => m.Text).ToHashSet(StringComparer.Ordinal);
                return stream.Sent.Count(s => s.Acknowledged && s.SentAt > since && payloads.Contains(s.Payload)) >= MessagesToSeeFlowing;
            },
            $"{MessagesToSeeFlowing} messages published {when} to reach the subscriber",
            FlowTimeout,
            () => $"subscriber:\n  {string.Join("\n  ", subscriber.Events)}\n{cluster.Logs()}");
    }

    /// <summary>Waits (bounded) for every acknowledged message; returns those that did not arrive.</summary>
    private static async Task<List<PublishOutcome>> AwaitAllAsync(FailoverClient subscriber, List<PublishOutcome> acknowledged)
    {
        List<PublishOutcome> Missing(IReadOnlyList<ReceivedMessage> received)
        {
            var payloads = received.Select(m => m.Text).ToHashSet(StringComparer.Ordinal);
            return acknowledged.Where(s => !payloads.Contains(s.Payload)).ToList();
        }

        try
        {
            await subscriber.Inbox.WaitUntilAsync(r => Missing(r).Count == 0, "every acknowledged message at the subscriber", FlowTimeout);
        }
        catch (TimeoutException)
        {
            // Reported by the caller, with which restart each missing message was sent in.
        }

        return Missing(subscriber.Inbox.All);
    }

    /// <summary>The messages grouped by the restart they were sent during (or between).</summary>
    private static string Summarise(IEnumerable<PublishOutcome> outcomes, List<(string Node, TimeSpan From, TimeSpan To)> phases)
    {
        var groups = outcomes
            .GroupBy(o => phases.FirstOrDefault(p => o.SentAt >= p.From && o.SentAt <= p.To).Node ?? "between restarts")
            .Select(g => $"{g.Key}: {g.Count()} ({string.Join(", ", g.Take(10))}{(g.Count() > 10 ? ", ..." : string.Empty)})")
            .ToList();
        return groups.Count == 0 ? "none" : string.Join("; ", groups);
    }
}
