using System.Globalization;
using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// kill -9 of a grains-only silo under a QoS 1 stream to a persistent session (DESIGN, failure model): the dead
/// silo's grains reactivate elsewhere, gateways re-register their routes, and publisher and subscriber carry on
/// without reconnecting; no message the publisher got a PUBACK for goes missing.
/// </summary>
public sealed partial class SiloFailureTests(SiloFailureCluster cluster, ITestOutputHelper output)
    : ClusterTest<SiloFailureCluster>(cluster, output), IClassFixture<SiloFailureCluster>
{
    private const int MessageCount = 300;
    private const int TopicCount = 16;
    private const int KillBefore = 100;

    /// <summary>The stream's pace: one QoS 1 publish every ~10 ms (after its PUBACK).</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The stream goes on at least this long after the kill: past the survivors' next route replica refresh (every
    /// 5 s), where a replica would load a new, still incomplete route index.
    /// </summary>
    private static readonly TimeSpan StreamAfterKill = TimeSpan.FromSeconds(8);

    /// <summary>Longer than any pause a silo death may cause, so the client never gives up on a PUBACK.</summary>
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    protected override bool NodeErrorsFailTheTest => false;

    [Fact]
    public Task Kill_9_of_the_silo_holding_most_topic_grains_during_a_qos1_stream_loses_no_acknowledged_message() =>
        StreamAroundKillAsync(routeIndex: false);

    /// <summary>The new route index activation starts empty; replicas must not route by it before the gateways
    /// registered their routes again.</summary>
    [Fact]
    public Task Kill_9_of_the_silo_holding_the_route_index_during_a_qos1_stream_loses_no_acknowledged_message() =>
        StreamAroundKillAsync(routeIndex: true);

    private async Task StreamAroundKillAsync(bool routeIndex)
    {
        // A silo killed by the other test of this class comes back first: three silos, two to vote one dead.
        await Task.WhenAll(Cluster.GrainSilos.Where(s => !s.IsRunning).Select(s => s.StartAgainAsync()));

        var topic = NewTopic(routeIndex ? "route-index-silo-killed" : "topic-grain-silo-killed");
        var publisher = await ConnectAsync(Cluster.Gateways[0], MqttTransport.Tcp, configure: o => o.WithTimeout(ClientTimeout));
        var victim = await ChooseVictimAsync(publisher, topic, routeIndex);
        var subscriber = await ConnectAsync(
            Cluster.Gateways[1], MqttTransport.Tcp, MqttTestClient.NewClientId("stream"),
            o => o.WithCleanStart(false).WithSessionExpiryInterval(600).WithTimeout(ClientTimeout));
        await subscriber.SubscribeAsync($"{topic}/+", MqttQualityOfServiceLevel.AtLeastOnce);
        var sends = new List<PublishOutcome>(MessageCount);
        var killedAt = TimeSpan.MaxValue;
        for (var i = 0; i < MessageCount || TestClock.Now - killedAt < StreamAfterKill; i++)
        {
            if (i == KillBefore)
            {
                await victim.KillAsync();
                killedAt = TestClock.Now;
                Output.WriteLine($"kill -9 {victim.Name} (pid {victim.ProcessId}) after {i} messages");
            }

            sends.Add(await PublishAsync(publisher, i, $"{topic}/{i % TopicCount}"));

            // Pacing, not waiting for a condition: a steady stream around the kill.
            await Task.Delay(Pace);
        }

        var acknowledged = sends.Where(s => s.Acknowledged).Select(s => s.Payload).ToHashSet(StringComparer.Ordinal);
        var failed = sends.Where(s => !s.Acknowledged).ToList();
        Output.WriteLine($"{acknowledged.Count} of {sends.Count} publishes acknowledged; not accepted: {(failed.Count == 0 ? "none" : string.Join(", ", failed))}");
        var received = await subscriber.Inbox.WaitUntilAsync(
            r => acknowledged.IsSubsetOf(r.Select(m => m.Text)),
            $"all {acknowledged.Count} acknowledged messages at the persistent-session subscriber",
            TimeSpan.FromSeconds(60),
            () => $"missing: {string.Join(", ", acknowledged.Except(subscriber.Inbox.All.Select(m => m.Text)).Order())}\n{Describe()}");

        // Measured, reported, not asserted tightly: the pause the silo's death caused.
        var slowest = sends.MaxBy(s => s.Latency)!;
        var flowingAgain = FlowingAgain(sends, received, killedAt);
        Output.WriteLine($"silo death → traffic flowing again (every topic delivering messages published after the kill): {flowingAgain.TotalSeconds:0.00} s");
        Output.WriteLine($"slowest PUBACK: #{slowest.Payload} after {slowest.Latency.TotalSeconds:0.00} s");
        foreach (var line in Cluster.GrainSilos.SelectMany(s => s.Log.Lines.Where(l => l.Contains("Route index restarted", StringComparison.Ordinal)).Select(l => $"{s.Name}: {l}")))
        {
            Output.WriteLine(line);
        }

        // Exactly once, or again as a DUP redelivery; nothing the publisher did not send.
        foreach (var copies in received.GroupBy(m => m.Text).Where(g => g.Count() > 1))
        {
            Assert.True(copies.Skip(1).All(m => m.Duplicate), $"Message #{copies.Key} arrived {copies.Count()} times, not as a DUP redelivery: {string.Join(", ", copies)}");
        }

        Assert.All(received, m => Assert.Contains(m.Text, sends.Select(s => s.Payload)));
        foreach (var client in new[] { publisher, subscriber })
        {
            if (client.Disconnected.IsCompleted)
            {
                Assert.Fail($"Client {client.ClientId} on {client.Gateway.Name} was disconnected: {(await client.Disconnected).Reason}.");
            }
        }

        // Publishing resumed: everything after the pause was accepted.
        Assert.True(sends.Skip(KillBefore + 50).All(s => s.Acknowledged), $"Publishes long after the kill were refused: {string.Join(", ", sends.Skip(KillBefore + 50).Where(s => !s.Acknowledged))}");
        Assert.True(flowingAgain < TimeSpan.FromSeconds(30), $"Traffic took {flowingAgain.TotalSeconds:0.0} s to flow again after the silo died.");
    }

    /// <summary>
    /// The silo holding the route index, or the one holding the most of the stream's topic grains (placement
    /// decides where they go). A retained message set and cleared on each topic activates its grain, which logs the
    /// clearing (at Debug in this fixture) on its silo; the route index logs each gateway registering.
    /// </summary>
    private async Task<NodeProcess> ChooseVictimAsync(MqttTestClient publisher, string topic, bool routeIndex)
    {
        var topics = Enumerable.Range(0, TopicCount).Select(i => $"{topic}/{i}").ToArray();
        foreach (var name in topics)
        {
            await publisher.PublishAsync(name, "placement probe", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            await publisher.PublishAsync(name, string.Empty, MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        }

        Dictionary<NodeProcess, int> TopicGrainsPerSilo() => Cluster.GrainSilos.ToDictionary(
            silo => silo,
            silo => topics.Count(t => silo.Log.Lines.Any(l => l.Contains($"'{t}' cleared", StringComparison.Ordinal))));
        await Within.PollAsync(() => TopicGrainsPerSilo().Values.Sum() == TopicCount, $"the silos to log where the {TopicCount} topic grains are", Within.DefaultTimeout, Describe);

        // Log lines start with their time, so the latest activation or registration names the index's current silo
        // (a restarted silo's earlier lines are gone, and a new activation takes the stored registrations over).
        var indexSilo = Cluster.GrainSilos
            .Select(s => (Silo: s, Last: s.Log.Lines.LastOrDefault(l => l.Contains("registered with the route index", StringComparison.Ordinal) || l.Contains("Route index activated here", StringComparison.Ordinal))))
            .Where(s => s.Last is not null)
            .MaxBy(s => s.Last, StringComparer.Ordinal).Silo;
        Assert.True(indexSilo is not null, $"No silo logged gateways registering with the route index.\n{Describe()}");
        var perSilo = TopicGrainsPerSilo();
        var victim = routeIndex ? indexSilo : perSilo.MaxBy(p => p.Value).Key;
        Output.WriteLine($"topic grains per silo: {string.Join(", ", perSilo.Select(p => $"{p.Key.Name} {p.Value}"))}; route index on {indexSilo.Name}; victim {victim.Name}");
        return victim;
    }

    private static async Task<PublishOutcome> PublishAsync(MqttTestClient publisher, int number, string topic)
    {
        var payload = number.ToString(CultureInfo.InvariantCulture);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
        var sentAt = TestClock.Now;
        try
        {
            using var timeout = new CancellationTokenSource(ClientTimeout);
            var result = await publisher.Mqtt.PublishAsync(message, timeout.Token);
            return new PublishOutcome(payload, sentAt, TestClock.Now - sentAt, result.IsSuccess, result.ReasonCode.ToString());
        }
        catch (Exception exception)
        {
            return new PublishOutcome(payload, sentAt, TestClock.Now - sentAt, false, $"{exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>From the kill until every topic delivered a message that was published after it.</summary>
    private static TimeSpan FlowingAgain(List<PublishOutcome> sends, IReadOnlyList<ReceivedMessage> received, TimeSpan killedAt)
    {
        var sentAfterKill = sends.Where(s => s.SentAt > killedAt).ToDictionary(s => s.Payload, StringComparer.Ordinal);
        var firstPerTopic = received
            .Where(m => sentAfterKill.ContainsKey(m.Text))
            .GroupBy(m => m.Topic)
            .Select(g => g.Min(m => m.ReceivedAt))
            .ToList();
        Assert.True(firstPerTopic.Count == TopicCount, $"Only {firstPerTopic.Count} of {TopicCount} topics delivered messages published after the kill.");
        return firstPerTopic.Max() - killedAt;
    }
}
