using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// kill -9 of a standalone gateway (DESIGN, failure model): its clients reconnect to another gateway and resume
/// their persistent sessions with what was published meanwhile, and their wills are published, whether a client
/// comes back at once (taking its session over from the dead gateway) or only after the cluster declared the
/// gateway dead (7 s without a refresh).
/// </summary>
public sealed class GatewayFailureTests(GatewayFailureCluster cluster, ITestOutputHelper output)
    : ClusterTest<GatewayFailureCluster>(cluster, output), IClassFixture<GatewayFailureCluster>
{
    private const string WillPayload = "device lost";
    private static readonly TimeSpan WillTimeout = TimeSpan.FromSeconds(30);

    protected override bool NodeErrorsFailTheTest => false;

    [Fact]
    public async Task Device_reconnecting_at_once_resumes_its_session_on_another_gateway()
    {
        var victim = await TakeVictimAsync();
        var topic = NewTopic();
        var (watcher, device, publisher) = await SetUpAsync(victim, topic);

        // A steady QoS 1 stream to the device from before the kill until after it resumed.
        await using var stream = QosStream.Start(publisher, $"{topic}/data", TimeSpan.FromMilliseconds(50));
        await device.Inbox.WaitUntilAsync(r => r.Count >= 5, "the stream to reach the device on its first gateway", context: Describe);

        await victim.KillAsync();
        var killedAt = TestClock.Now;
        await Within.Async(device.Disconnected, "the device to notice its gateway died");

        // As a device with a list of brokers does: straight to the next one, same session, same will. The
        // session grain tries to take the session over from the dead gateway first.
        var resumed = await ConnectDeviceAsync(Cluster.Survivor, device.ClientId, topic);
        var resumedAt = TestClock.Now;
        Output.WriteLine($"gateway death → client resumed elsewhere (reconnecting at once): {(resumedAt - killedAt).TotalSeconds:0.00} s");
        Assert.True(resumed.ConnectResult.IsSessionPresent, "The session should continue on the other gateway (session present).");

        // The stream goes on to the resumed session: ten messages sent after the CONNACK arrive.
        await resumed.Inbox.WaitUntilAsync(
            r => r.Select(m => m.Text).Intersect(stream.Sent.Where(s => s.SentAt > resumedAt).Select(s => s.Payload)).Count() >= 10,
            "ten messages published after the device resumed",
            context: Describe);
        var sends = await stream.StopAsync();

        var will = await watcher.Inbox.NextAsync("the will of the device whose gateway died", WillTimeout, Describe);
        Assert.Equal(WillPayload, will.Text);
        Output.WriteLine($"gateway death → will published: {(will.ReceivedAt - killedAt).TotalSeconds:0.00} s");

        var received = device.Inbox.All.Concat(resumed.Inbox.All).ToList();
        var receivedPayloads = received.Select(m => m.Text).ToHashSet(StringComparer.Ordinal);
        var missing = sends.Where(s => s.Acknowledged && s.SentAt > resumedAt && !receivedPayloads.Contains(s.Payload)).ToList();
        Assert.True(missing.Count == 0, $"Messages acknowledged after the device resumed never reached it: {string.Join(", ", missing)}\n{Describe()}");
        AssertNoDuplicatesButRedeliveries(received);

        // Taking the session over from a dead gateway holds the session grain (and the topic grains queueing to it)
        // only until the silo gives up on the dead gateway: no publisher is refused meanwhile.
        Assert.True(sends.All(s => s.Acknowledged), $"Publishes were refused while the device resumed: {Describe(sends.Where(s => !s.Acknowledged))}\n{Describe()}");
        Assert.True(resumedAt - killedAt < TimeSpan.FromSeconds(30), $"The device took {(resumedAt - killedAt).TotalSeconds:0.0} s to resume its session.");

        // Reported, not asserted: see the skipped test below.
        var lost = sends.Where(s => s.Acknowledged && !receivedPayloads.Contains(s.Payload)).ToList();
        Output.WriteLine($"{sends.Count(s => s.Acknowledged)} of {sends.Count} messages acknowledged, {received.Count} received over both connections");
        Output.WriteLine($"not accepted by the cluster: {Describe(sends.Where(s => !s.Acknowledged))}; slowest PUBACK: {sends.MaxBy(s => s.Latency)}");
        Output.WriteLine($"acknowledged but lost (sent to the dead gateway): {Describe(lost)}");
    }

    [Fact]
    public async Task Device_staying_away_gets_its_will_published_when_its_gateway_is_declared_dead_and_its_messages_queued()
    {
        var victim = await TakeVictimAsync();
        var topic = NewTopic();
        var (watcher, device, publisher) = await SetUpAsync(victim, topic);
        await publisher.PublishAsync($"{topic}/data", "before");
        Assert.Equal("before", (await device.Inbox.NextAsync("'before' at the device on its first gateway", context: Describe)).Text);

        await victim.KillAsync();
        var killedAt = TestClock.Now;
        await Within.Async(device.Disconnected, "the device to notice its gateway died");

        var will = await watcher.Inbox.NextAsync("the will, published when the gateway is declared dead", WillTimeout, Describe);
        var willAfter = will.ReceivedAt - killedAt;
        Output.WriteLine($"gateway death → will published (gateway declared dead): {willAfter.TotalSeconds:0.00} s");
        Assert.Equal(WillPayload, will.Text);

        // The session is offline now and queues.
        await publisher.PublishAsync($"{topic}/data", "while the session is offline");

        var resumed = await ConnectDeviceAsync(Cluster.Survivor, device.ClientId, topic);
        Output.WriteLine($"gateway death → client resumed elsewhere (reconnecting after the will): {(TestClock.Now - killedAt).TotalSeconds:0.00} s");
        Assert.True(resumed.ConnectResult.IsSessionPresent, "The session should continue on the other gateway (session present).");
        var queued = await resumed.Inbox.NextAsync("the message published while the device was away", context: Describe);
        Assert.Equal("while the session is offline", queued.Text);

        var marker = NewMarker();
        await publisher.PublishAsync($"{topic}/data", marker);
        Assert.Equal([marker], (await resumed.Inbox.UntilMarkerAsync(marker, context: Describe)).Select(m => m.Text));
        Assert.Single(watcher.Inbox.All);
    }

    [Fact]
    public async Task Messages_acknowledged_before_the_cluster_noticed_the_dead_gateway_reach_the_resumed_session()
    {
        var victim = await TakeVictimAsync();
        var topic = NewTopic();
        var (watcher, device, publisher) = await SetUpAsync(victim, topic);

        await victim.KillAsync();
        await Within.Async(device.Disconnected, "the device to notice its gateway died");
        await publisher.PublishAsync($"{topic}/data", "while its gateway is not yet declared dead");
        await watcher.Inbox.NextAsync("the will, published when the gateway is declared dead", WillTimeout, Describe);

        var resumed = await ConnectDeviceAsync(Cluster.Survivor, device.ClientId, topic);
        Assert.True(resumed.ConnectResult.IsSessionPresent);
        Assert.Equal("while its gateway is not yet declared dead", (await resumed.Inbox.NextAsync("the message published into the gap", context: Describe)).Text);
    }

    /// <summary>A running gateway other than the survivor, started again if every one was killed already.</summary>
    private async Task<NodeProcess> TakeVictimAsync()
    {
        var candidates = Cluster.Gateways.Where(g => g != Cluster.Survivor).ToList();
        if (candidates.FirstOrDefault(g => g.IsRunning) is { } running)
        {
            return running;
        }

        await candidates[0].StartAgainAsync();
        return candidates[0];
    }

    /// <summary>A watcher for the will and a publisher on the surviving gateway; the device on the victim.</summary>
    private async Task<(MqttTestClient Watcher, MqttTestClient Device, MqttTestClient Publisher)> SetUpAsync(NodeProcess victim, string topic)
    {
        var watcher = await ConnectAsync(Cluster.Survivor);
        await watcher.SubscribeAsync($"{topic}/will");
        var device = await ConnectDeviceAsync(victim, MqttTestClient.NewClientId("device"), topic);
        Assert.False(device.ConnectResult.IsSessionPresent);
        await device.SubscribeAsync($"{topic}/data");
        var publisher = await ConnectAsync(Cluster.Survivor);
        return (watcher, device, publisher);
    }

    /// <summary>The device: a persistent session (clean start 0, 10 minutes expiry) with a QoS 1 will.</summary>
    private Task<MqttTestClient> ConnectDeviceAsync(NodeProcess gateway, string clientId, string topic) =>
        ConnectAsync(gateway, MqttTransport.Tcp, clientId, o => o
            .WithCleanStart(false)
            .WithSessionExpiryInterval(600)
            .WithWillTopic($"{topic}/will")
            .WithWillPayload(WillPayload)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

    private static void AssertNoDuplicatesButRedeliveries(List<ReceivedMessage> received)
    {
        foreach (var copies in received.GroupBy(m => m.Text).Where(g => g.Count() > 1))
        {
            Assert.True(copies.Skip(1).All(m => m.Duplicate), $"Message #{copies.Key} arrived {copies.Count()} times, not as a DUP redelivery: {string.Join(", ", copies)}");
        }
    }

    private static string Describe(IEnumerable<PublishOutcome> outcomes) =>
        outcomes.Any() ? string.Join(", ", outcomes) : "none";
}
