using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The broker process driven by mosquitto_pub / mosquitto_sub over TCP, as a Mosquitto user would: QoS 0/1/2,
/// retained messages (set, delivered late, cleared), MQTT 5 / 3.1.1 / 3.1, wills, ordering.
/// </summary>
public sealed class MosquittoClientTests(BrokerFixture fixture) : BrokerTest(fixture), IClassFixture<BrokerFixture>
{
    // "%r %q %t %p": retain flag, QoS, topic, payload.
    private const string Format = "%r %q %t %p";

    private readonly MosquittoClients _mosquitto = new(fixture.Broker);

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    public async Task Subscriber_receives_what_is_published_and_a_late_subscriber_gets_the_retained_message(string qos)
    {
        var topic = NewBaseTopic();
        await using var subscriber = await _mosquitto.StartReadySubscriberAsync(topic, 2, "-q", "2", "-F", Format);

        await _mosquitto.PublishAsync("-t", $"{topic}/a/b", "-m", $"retained at qos {qos}", "-q", qos, "-r");
        await _mosquitto.PublishAsync("-t", $"{topic}/c", "-m", $"live at qos {qos}", "-q", qos);
        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);

        // An established subscription gets retained messages with RETAIN 0 [MQTT-3.3.1-9]; topics differ, so the
        // two may arrive in either order.
        OutputAssert.Lines(
            [$"1 1 {topic}/ready ready", $"0 {qos} {topic}/a/b retained at qos {qos}", $"0 {qos} {topic}/c live at qos {qos}"],
            subscriber.Output.Lines.Take(1).Concat(subscriber.Output.Lines.Skip(1).Order(StringComparer.Ordinal)),
            Broker.Describe);

        // A subscriber arriving later gets the retained message with RETAIN 1 and its QoS [MQTT-3.3.1-6].
        await using var late = _mosquitto.StartSubscriber("-t", $"{topic}/+/b", "-q", "2", "-F", Format, "-C", "1");
        await late.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"1 {qos} {topic}/a/b retained at qos {qos}"], late.Output.Lines, Broker.Describe);
    }

    [Theory]
    [InlineData("mqttv5")]
    [InlineData("mqttv311")]
    [InlineData("mqttv31")]
    public async Task Each_protocol_version_publishes_subscribes_and_gets_retained_messages(string version)
    {
        var topic = NewBaseTopic();
        await using var subscriber = await _mosquitto.StartReadySubscriberAsync(topic, 1, "-V", version, "-q", "1");

        await _mosquitto.PublishAsync("-V", version, "-t", $"{topic}/x", "-m", $"hello over {version}", "-q", "1");
        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"{topic}/ready ready", $"{topic}/x hello over {version}"], subscriber.Output.Lines, Broker.Describe);

        await _mosquitto.PublishAsync("-V", version, "-t", $"{topic}/kept", "-m", $"kept over {version}", "-q", "1", "-r");
        await using var late = _mosquitto.StartSubscriber("-V", version, "-t", $"{topic}/kept", "-C", "1");
        await late.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"kept over {version}"], late.Output.Lines, Broker.Describe);
    }

    [Fact]
    public async Task An_empty_retained_publish_clears_the_retained_message()
    {
        var topic = NewBaseTopic();
        await _mosquitto.PublishAsync("-t", $"{topic}/kept", "-m", "soon gone", "-q", "1", "-r");
        await using (var before = _mosquitto.StartSubscriber("-t", $"{topic}/kept", "-C", "1"))
        {
            await before.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
            OutputAssert.Lines(["soon gone"], before.Output.Lines, Broker.Describe);
        }

        // mosquitto_pub -r -n: a zero-length retained message deletes the retained one [MQTT-3.3.1-10].
        await _mosquitto.PublishAsync("-t", $"{topic}/kept", "-r", "-n", "-q", "1");

        // --retained-only prints the retained messages that come with the SUBACK and exits at the first live
        // message; the marker shows the retained ones have all arrived, the live "end" message ends it.
        await using var after = await _mosquitto.StartReadySubscriberAsync(topic, 1, "--retained-only");
        await _mosquitto.PublishAsync("-t", $"{topic}/end", "-m", "end", "-q", "1");
        await after.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"{topic}/ready ready"], after.Output.Lines, Broker.Describe);
    }

    [Fact]
    public async Task The_will_is_published_when_a_client_is_killed_and_not_when_it_disconnects()
    {
        var topic = NewBaseTopic();
        await using var watcher = await _mosquitto.StartReadySubscriberAsync(topic, 2, "-q", "1");

        // Leaves normally (DISCONNECT after a live message): its will is discarded [MQTT-3.14.4-3].
        await using (var polite = _mosquitto.StartSubscriber(
            "-t", $"{topic}/ready", "-t", $"{topic}/go", "-v", "-C", "2", "--will-topic", $"{topic}/will", "--will-payload", "polite bye", "--will-qos", "1"))
        {
            await polite.WaitForOutputLineAsync(l => l == $"{topic}/ready ready", MosquittoClients.Timeout, "the retained marker (subscribed)", Broker.Describe);
            await _mosquitto.PublishAsync("-t", $"{topic}/go", "-m", "go", "-q", "1");
            await polite.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        }

        // Killed with SIGKILL: no DISCONNECT, the broker sees the socket close and publishes the will.
        await using var doomed = _mosquitto.StartSubscriber(
            "-t", $"{topic}/ready", "-v", "--will-topic", $"{topic}/will", "--will-payload", "bye", "--will-qos", "1");
        await doomed.WaitForOutputLineAsync(l => l == $"{topic}/ready ready", MosquittoClients.Timeout, "the retained marker (connected)", Broker.Describe);
        doomed.Kill();

        await watcher.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"{topic}/ready ready", $"{topic}/go go", $"{topic}/will bye"], watcher.Output.Lines.Take(1).Concat(watcher.Output.Lines.Skip(1).Order(StringComparer.Ordinal)), Broker.Describe);
    }

    [Fact]
    public async Task A_client_that_exits_after_receiving_a_retained_message_disconnects_cleanly_and_its_will_is_discarded()
    {
        // `mosquitto_sub -C 1` on a retained topic, the common "read the current value" idiom, with a will.
        var topic = NewBaseTopic();
        var clientId = $"reader-{Guid.NewGuid():N}";
        await _mosquitto.PublishAsync("-t", $"{topic}/value", "-m", "42", "-q", "1", "-r");
        await using (var reader = _mosquitto.StartSubscriber(
            "-i", clientId, "-t", $"{topic}/value", "-C", "1", "--will-topic", $"{topic}/will", "--will-payload", "reader died"))
        {
            await reader.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
            OutputAssert.Lines(["42"], reader.Output.Lines, Broker.Describe);
        }

        var end = await Broker.Log.WaitForLineAsync(
            l => l.Contains($"Client '{clientId}' at ", StringComparison.Ordinal) && !l.Contains(" connected from ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10));
        Assert.True(end is not null, $"The broker logged nothing about the end of '{clientId}'.\n{Broker.Describe()}");
        Assert.True(
            end.Contains("disconnected (NormalDisconnection)", StringComparison.Ordinal),
            $"mosquitto_sub exited normally, but the broker did not see its DISCONNECT: {end}\n" +
            "(libmosquitto 2.0.11 skips its queued DISCONNECT when the SUBACK arrives after the retained PUBLISH that ended " +
            "the -C count; Mosquitto sends SUBACK first.)\n" + Broker.Describe());
        Assert.DoesNotContain(Broker.Log.Lines, l => l.Contains($"Will of client '{clientId}' published", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_QoS_0_message_from_short_lived_publishers_arrives()
    {
        // mosquitto_pub -q 0 writes CONNECT, PUBLISH, DISCONNECT and closes the socket at once: the broker must
        // still read what the client sent before the close. Each message comes from a publisher of its own, and
        // order is kept per publisher only [MQTT-4.6.0-6]: one publisher's forwarding can finish after the next
        // publisher's, so the messages are compared in sorted order.
        const int count = 20;
        var topic = NewBaseTopic();
        await using var subscriber = await _mosquitto.StartReadySubscriberAsync(topic, count, "-q", "1");
        for (var i = 1; i <= count; i++)
        {
            await _mosquitto.PublishAsync("-t", $"{topic}/q0", "-m", $"m{i}", "-q", "0");
        }

        await subscriber.WaitForExitAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines(
            Enumerable.Range(1, count).Select(i => $"{topic}/q0 m{i}").Order(StringComparer.Ordinal),
            subscriber.Output.Lines.Skip(1).Order(StringComparer.Ordinal),
            Broker.Describe);
    }

    [Fact]
    public async Task Messages_from_one_publisher_on_one_topic_arrive_in_order()
    {
        const int count = 200;
        var topic = NewBaseTopic();
        await using var subscriber = await _mosquitto.StartReadySubscriberAsync(topic, count, "-q", "1");

        // mosquitto_pub -l sends each line of stdin as one message, on one connection.
        await using var publisher = _mosquitto.StartPublisher("-t", $"{topic}/seq", "-l", "-q", "1");
        await publisher.WriteInputAndCloseAsync(string.Concat(Enumerable.Range(1, count).Select(i => $"m{i}\n")));
        await publisher.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines(Enumerable.Range(1, count).Select(i => $"{topic}/seq m{i}"), subscriber.Output.Lines.Skip(1), Broker.Describe);
    }

    private static string NewBaseTopic() => $"e2e/mosquitto/{Guid.NewGuid():N}";
}
