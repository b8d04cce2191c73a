using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// QoS 2 across a bridge whose connection to the remote Mosquitto breaks mid-stream: each message arrives exactly
/// once, in order, in either direction, for MQTT 3.1.1 and 5 bridges. The first break loses the other side's
/// acknowledgements of messages already handed on (so the PUBLISH must go again under its identifier, with DUP, and
/// be recognised); the second falls wherever the stream is. The subscribers stay connected throughout, so any second
/// copy they see (even one marked DUP) came through the bridge. Last, the remote itself restarts mid-stream.
/// </summary>
public sealed class ExactlyOnceTests(ExactlyOnceBridgeFixture broker)
    : BridgeTest<ExactlyOnceBridgeFixture>(broker), IClassFixture<ExactlyOnceBridgeFixture>
{
    private const int Count = 300;
    private const int FirstPart = 100;
    private const int SecondBreakAt = 200;

    /// <summary>Fewer than the window (20, Mosquitto's Receive Maximum too), more than one.</summary>
    private const int PipelinedAtLeast = 10;

    [Theory]
    [InlineData("eo311")]
    [InlineData("eo5")]
    public async Task QoS2MessagesToTheRemoteArriveOnceWhenTheConnectionBreaksMidStream(string prefix)
    {
        var start = Broker.Log.Position;
        var (name, link) = BridgeOf(prefix);
        await WaitConnectedAsync(name);
        var topic = $"{prefix}/out/{NewTopic()}";
        var subscriber = await ConnectRemoteAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var local = await ConnectAsync();
        await FlowingAsync(local, subscriber, topic);
        var sent = Enumerable.Range(0, Count).Select(i => $"o{i:D4}").ToList();

        // The remote's PUBRECs are lost: the messages it took are in flight when the connection breaks.
        link.LoseRepliesToBridge();
        var before = link.BytesToRemote;
        await PublishAsync(local, topic, sent.Take(FirstPart));
        await WaitPipelinedAsync(link, before, topic);
        link.Cut();

        var publishing = PublishAsync(local, topic, sent.Skip(FirstPart));
        var received = new List<ReceivedMessage>(await subscriber.Inbox.TakeAsync(SecondBreakAt, "the first messages", TimeSpan.FromSeconds(30)));
        link.Cut();
        await publishing;
        var marker = NewMarker();
        await local.PublishAsync(topic, marker, MqttQualityOfServiceLevel.ExactlyOnce);
        received.AddRange(await subscriber.Inbox.UntilMarkerAsync(marker, TimeSpan.FromSeconds(30)));

        Assert.Equal([.. sent, marker], received.Select(m => m.Text));
        Assert.True(ResentSince(start, name), "the bridge did not send messages in flight again under their identifiers");
    }

    [Theory]
    [InlineData("eo311")]
    [InlineData("eo5")]
    public async Task QoS2MessagesFromTheRemoteArriveOnceWhenTheConnectionBreaksMidStream(string prefix)
    {
        var (name, link) = BridgeOf(prefix);
        await WaitConnectedAsync(name);
        var topic = $"{prefix}/in/{NewTopic()}";
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var remote = await ConnectRemoteAsync();
        await FlowingAsync(remote, subscriber, topic);
        var sent = Enumerable.Range(0, Count).Select(i => $"i{i:D4}").ToList();

        // The bridge's PUBRECs are lost: the remote sends the PUBLISHes again, with DUP, after the break.
        link.LoseRepliesToRemote();
        await PublishAsync(remote, topic, sent.Take(FirstPart));
        var received = new List<ReceivedMessage>([await subscriber.Inbox.NextAsync("a message published here before the break")]);
        link.Cut();

        var publishing = PublishAsync(remote, topic, sent.Skip(FirstPart));
        received.AddRange(await subscriber.Inbox.TakeAsync(SecondBreakAt - 1, "the first messages", TimeSpan.FromSeconds(30)));
        link.Cut();
        await publishing;
        var marker = NewMarker();
        await remote.PublishAsync(topic, marker, MqttQualityOfServiceLevel.ExactlyOnce);
        received.AddRange(await subscriber.Inbox.UntilMarkerAsync(marker, TimeSpan.FromSeconds(30)));

        Assert.Equal([.. sent, marker], received.Select(m => m.Text));
    }

    [Fact]
    public async Task QoS2MessagesInFlightWhenOurBrokerRestartsArriveOnce()
    {
        var start = Broker.Log.Position;
        var link = Broker.Link311;
        await Broker.WaitForBridgeAsync();
        var topic = $"eo311/out/{NewTopic()}";
        var subscriber = await ConnectRemoteAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var sent = Enumerable.Range(0, FirstPart).Select(i => $"r{i:D4}").ToList();

        var local = await ConnectAsync();
        await FlowingAsync(local, subscriber, topic);

        // In flight (the remote's PUBRECs lost) when this broker stops: their identifiers come back from storage.
        link.LoseRepliesToBridge();
        var before = link.BytesToRemote;
        await PublishAsync(local, topic, sent);
        await WaitPipelinedAsync(link, before, topic);
        await Broker.RestartAsync();
        link.Cut();

        var received = new List<ReceivedMessage>(await subscriber.Inbox.TakeAsync(sent.Count, "the messages kept across the restart", TimeSpan.FromSeconds(30)));
        var after = await FlowingAsync(await ConnectAsync(), subscriber, topic);

        Assert.Equal(sent, received.Select(m => m.Text));
        Assert.DoesNotContain(after, m => sent.Contains(m.Text));
        Assert.True(ResentSince(start, Broker.BridgeName), "the bridge did not send messages in flight again under their identifiers");
    }

    [Fact]
    public async Task QoS2MessagesToTheRemoteArriveOnceWhenTheRemoteRestartsMidStream()
    {
        await Broker.WaitForBridgeAsync();
        var topic = $"eo311/out/{NewTopic()}";
        var subscriberId = NewClientId("s");
        var subscriber = await ConnectRemoteAsync(MqttProtocolVersion.V311, subscriberId, cleanSession: false);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var local = await ConnectAsync();
        await FlowingAsync(local, subscriber, topic);
        var sent = Enumerable.Range(0, Count).Select(i => $"m{i:D4}").ToList();

        // Stopped (SIGTERM: Mosquitto saves its sessions, with the QoS 2 identifiers it has seen) mid-stream.
        var publishing = PublishAsync(local, topic, sent);
        var received = new List<ReceivedMessage>(await subscriber.Inbox.TakeAsync(FirstPart, "the first messages", TimeSpan.FromSeconds(30)));
        await Broker.Remote.StopAsync();
        received.AddRange(subscriber.Inbox.Drain());
        await Broker.Remote.StartAgainAsync();
        var again = await ConnectRemoteAsync(MqttProtocolVersion.V311, subscriberId, cleanSession: false);
        await publishing;
        var marker = NewMarker();
        await local.PublishAsync(topic, marker, MqttQualityOfServiceLevel.ExactlyOnce);
        received.AddRange(await again.Inbox.UntilMarkerAsync(marker, TimeSpan.FromSeconds(30)));

        // The subscriber's own session with Mosquitto may repeat a message to it, marked DUP; the bridge may not.
        Assert.Equal([.. sent, marker], InOrderOnce(received).Where(t => !t.StartsWith("probe-", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Publishes probes on <paramref name="topic"/> until one reaches <paramref name="subscriber"/>, and returns what
    /// arrived meanwhile. Right after a start or restart of this broker a message may find the bridge's route not yet
    /// in the silo's route replica (it resynchronises) and reach no one; the stream under test starts only once
    /// messages flow.
    /// </summary>
    private static async Task<List<ReceivedMessage>> FlowingAsync(TestClient publisher, TestClient subscriber, string topic)
    {
        var arrived = new List<ReceivedMessage>();
        var last = "";
        await Within.PollAsync(
            async () =>
            {
                last = $"probe-{Guid.NewGuid():N}";
                await publisher.PublishAsync(topic, last, MqttQualityOfServiceLevel.ExactlyOnce);
                arrived.AddRange(subscriber.Inbox.Drain());
                return arrived.Exists(m => m.Text.StartsWith("probe-", StringComparison.Ordinal));
            },
            $"a probe on '{topic}' to cross the bridge",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(100));

        // Once one came through, every later one does (in order): the last is what comes before the stream.
        if (!arrived.Exists(m => m.Text == last))
        {
            arrived.AddRange(await subscriber.Inbox.UntilMarkerAsync(last));
        }

        return arrived;
    }

    /// <summary>
    /// Waits until the bridge has sent more than <see cref="PipelinedAtLeast"/> PUBLISHes on <paramref name="topic"/>
    /// while none of the remote's answers reach it (more bytes than that many such packets take, at most topic,
    /// identifier, a short payload and headers): QoS 2 messages are pipelined, not sent one per round trip.
    /// </summary>
    private static Task WaitPipelinedAsync(CuttableLink link, long before, string topic) => Within.PollAsync(
        () => Task.FromResult(link.BytesToRemote - before > PipelinedAtLeast * (topic.Length + 20)),
        $"the bridge to have more than {PipelinedAtLeast} QoS 2 PUBLISHes in flight, their PUBRECs lost",
        Within.DefaultTimeout,
        TimeSpan.FromMilliseconds(10));

    /// <summary>Whether bridge <paramref name="name"/> logged, since <paramref name="start"/>, that it resumed its session with messages in flight.</summary>
    private bool ResentSince(long start, string name) => Broker.Log.Entries.Any(e =>
        e.Sequence >= start
        && e.Message.StartsWith($"Bridge {name}: ", StringComparison.Ordinal)
        && e.Message.Contains("sent again under their packet identifiers", StringComparison.Ordinal));

    private (string Name, CuttableLink Link) BridgeOf(string prefix) =>
        prefix == "eo5" ? (ExactlyOnceBridgeFixture.Mqtt5BridgeName, Broker.Link5) : (Broker.BridgeName, Broker.Link311);

    private Task WaitConnectedAsync(string name)
    {
        var bridge = Broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(name);
        return Within.PollAsync(async () => (await bridge.GetStatusAsync()).Connected, $"bridge '{name}' to be connected", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
    }

    private static async Task PublishAsync(TestClient client, string topic, IEnumerable<string> payloads)
    {
        foreach (var payload in payloads)
        {
            await client.PublishAsync(topic, payload, MqttQualityOfServiceLevel.ExactlyOnce);
        }
    }
}
