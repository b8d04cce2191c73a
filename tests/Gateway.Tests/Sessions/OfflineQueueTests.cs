using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// The offline queue's limits (Sessions:MaxQueuedMessages, like Mosquitto's max_queued_messages): when it is full
/// the oldest messages are kept and newer ones dropped and counted; Sessions:QueueQos0Messages queues QoS 0 too.
/// </summary>
public sealed class OfflineQueueTests(SmallQueueBrokerFixture broker) : BrokerTest<SmallQueueBrokerFixture>(broker), IClassFixture<SmallQueueBrokerFixture>
{
    private const int Limit = SmallQueueBrokerFixture.MaxQueuedMessages;

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Full_queue_keeps_the_oldest_and_drops_and_counts_the_newest(MqttProtocolVersion version)
    {
        var clientId = NewClientId("full");
        var (topic, publisher) = await GoOfflineAsync(version, clientId);
        var logPosition = Broker.Log.Position;

        for (var i = 0; i < Limit + 3; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var resumed = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.True(resumed.ConnectResult!.IsSessionPresent);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(
            [.. Enumerable.Range(0, Limit).Select(i => $"m-{i}"), marker],
            (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));

        // Logged when the queue overflows (first drop), and the count of the offline period when the client is back.
        var lines = Broker.Log.Lines.Skip((int)logPosition).ToList();
        var full = Assert.Single(lines, l => l.Contains($"Offline queue of '{clientId}' is full", StringComparison.Ordinal));
        Assert.Contains($"({Limit} messages)", full, StringComparison.Ordinal);
        var counted = Assert.Single(lines, l => l.Contains($"Session '{clientId}' resumed", StringComparison.Ordinal));
        Assert.Contains("3 message(s) were dropped", counted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Full_queue_drops_nothing_published_after_the_client_is_back()
    {
        var clientId = NewClientId("back");
        var (topic, publisher) = await GoOfflineAsync(MqttProtocolVersion.V500, clientId);
        for (var i = 0; i < Limit; i++)
        {
            await publisher.PublishAsync(topic, $"queued-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // A stream runs across the reconnect: what is published while the client is away overflows the full queue;
        // from its CONNACK on the client is back, and nothing may be dropped for lack of queue space
        // [MQTT-4.5.0-1], also while the session is still being handed to the new connection.
        var connected = -1;
        using var stop = new CancellationTokenSource();
        var overflowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = 0;
        var streaming = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested || published < Volatile.Read(ref connected) + 50)
            {
                await publisher.PublishAsync(topic, $"stream-{published}", MqttQualityOfServiceLevel.AtLeastOnce);
                if (Interlocked.Increment(ref published) == 20)
                {
                    overflowing.SetResult();
                }
            }
        });
        await Within.Async(overflowing.Task, "the stream to overflow the queue");

        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        Volatile.Write(ref connected, Volatile.Read(ref published));
        await stop.CancelAsync();
        await Within.Async(streaming, "the stream to end");

        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text).SkipLast(1).ToList();
        Assert.Equal(Enumerable.Range(0, Limit).Select(i => $"queued-{i}"), received.Take(Limit));
        var stream = received.Skip(Limit).Select(t => int.Parse(t["stream-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(stream);
        Assert.Equal(Enumerable.Range(stream[0], published - stream[0]), stream);
        // Message 'connected' may have been on its way when CONNACK came; every later one was published after it.
        Assert.True(stream[0] <= connected + 1, $"messages {connected + 1}..{stream[0] - 1}, published after CONNACK, were dropped");
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Qos0_messages_are_queued_when_configured(MqttProtocolVersion version)
    {
        var clientId = NewClientId("qos0");
        var (topic, publisher) = await GoOfflineAsync(version, clientId);

        await publisher.PublishAsync(topic, "zero-a");
        await publisher.PublishAsync(topic, "zero-b");

        // Same topic, same publisher: once this QoS 1 message is acknowledged it and everything before it is queued.
        await publisher.PublishAsync(topic, "one", MqttQualityOfServiceLevel.AtLeastOnce);

        var resumed = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        var received = await resumed.Inbox.TakeAsync(3, "the queued QoS 0 and QoS 1 messages");
        Assert.Equal(
            [("zero-a", MqttQualityOfServiceLevel.AtMostOnce), ("zero-b", MqttQualityOfServiceLevel.AtMostOnce), ("one", MqttQualityOfServiceLevel.AtLeastOnce)],
            received.Select(m => (m.Text, m.QualityOfService)));
    }

    private async Task<(string Topic, TestClient Publisher)> GoOfflineAsync(MqttProtocolVersion version, string clientId)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        return (topic, publisher);
    }
}
