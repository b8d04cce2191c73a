using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// MQTT.js (npm package mqtt, v5) connecting over WebSocket to ws://127.0.0.1:PORT/mqtt, as a browser app would,
/// and exchanging messages with mosquitto clients on the TCP listener.
/// </summary>
public sealed class MqttJsWebSocketTests(BrokerFixture fixture) : BrokerTest(fixture), IClassFixture<BrokerFixture>
{
    private readonly MosquittoClients _mosquitto = new(fixture.Broker);

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task QoS_0_1_2_round_trip_and_retained_message_on_subscribe(int protocolVersion)
    {
        var topic = NewBaseTopic();
        await using var client = MqttJsClient.Start(
            "--url", Broker.WebSocketUrl, "--protocol-version", $"{protocolVersion}", "--mode", "roundtrip", "--topic", topic);
        await client.AssertSucceedsAsync(MqttJsClient.Timeout, Broker.Describe);

        var events = MqttJsClient.Events(client);
        Assert.Contains(events, e => e.Event == "subscribed");
        OutputAssert.Lines(
            [$"{topic}/q0 q0 q0 live", $"{topic}/q1 q1 q1 live", $"{topic}/q2 q2 q2 live", $"{topic}/retained kept q1 retained"],
            events.Where(e => e.Event == "message").Select(e => e.Describe()).Order(StringComparer.Ordinal),
            () => client.Describe() + "\n" + Broker.Describe());
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task WebSocket_subscriber_receives_from_a_TCP_publisher(int protocolVersion)
    {
        var topic = NewBaseTopic();
        await using var client = MqttJsClient.Start(
            "--url", Broker.WebSocketUrl, "--protocol-version", $"{protocolVersion}", "--mode", "subscribe", "--topic", $"{topic}/#", "--count", "3");
        await MqttJsClient.WaitForEventAsync(client, "subscribed", Broker.Describe);

        foreach (var qos in new[] { "0", "1", "2" })
        {
            await _mosquitto.PublishAsync("-t", $"{topic}/from-tcp/{qos}", "-m", $"tcp {qos}", "-q", qos);
        }

        await client.AssertSucceedsAsync(MqttJsClient.Timeout, Broker.Describe);
        OutputAssert.Lines(
            [$"{topic}/from-tcp/0 tcp 0 q0 live", $"{topic}/from-tcp/1 tcp 1 q1 live", $"{topic}/from-tcp/2 tcp 2 q2 live"],
            MqttJsClient.Events(client).Where(e => e.Event == "message").Select(e => e.Describe()).Order(StringComparer.Ordinal),
            () => client.Describe() + "\n" + Broker.Describe());
    }

    [Fact]
    public async Task TCP_subscriber_receives_from_a_WebSocket_publisher_live_and_retained()
    {
        var topic = NewBaseTopic();
        await using var subscriber = await _mosquitto.StartReadySubscriberAsync(topic, 1, "-q", "2", "-F", "%r %q %t %p");

        await using (var live = MqttJsClient.Start(
            "--url", Broker.WebSocketUrl, "--protocol-version", "5", "--mode", "publish", "--topic", $"{topic}/from-ws", "--payload", "over websocket", "--qos", "2"))
        {
            await live.AssertSucceedsAsync(MqttJsClient.Timeout, Broker.Describe);
        }

        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"1 1 {topic}/ready ready", $"0 2 {topic}/from-ws over websocket"], subscriber.Output.Lines, Broker.Describe);

        await using (var retained = MqttJsClient.Start(
            "--url", Broker.WebSocketUrl, "--protocol-version", "4", "--mode", "publish", "--topic", $"{topic}/kept", "--payload", "kept from ws", "--qos", "1", "--retain"))
        {
            await retained.AssertSucceedsAsync(MqttJsClient.Timeout, Broker.Describe);
        }

        await using var late = _mosquitto.StartSubscriber("-t", $"{topic}/kept", "-q", "2", "-F", "%r %q %t %p", "-C", "1");
        await late.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        OutputAssert.Lines([$"1 1 {topic}/kept kept from ws"], late.Output.Lines, Broker.Describe);
    }

    private static string NewBaseTopic() => $"e2e/mqttjs/{Guid.NewGuid():N}";
}
