using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet.Protocol;
using Xunit.Abstractions;
using static MqttCluster.MultiNode.Tests.Infrastructure.MqttTransport;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// Publish/subscribe where publisher and subscriber sit on different gateways: standalone gateways (Orleans
/// clients) and a silo's co-hosted gateway, over TCP and WebSocket, with MQTTnet and mosquitto clients.
/// No waiting after SUBACK: a PUBLISH sent anywhere in the cluster after it must reach the subscriber (DESIGN).
/// </summary>
[Collection(CrossGatewayCollection.Name)]
public sealed class CrossGatewayTests(CrossGatewayCluster cluster, ITestOutputHelper output) : ClusterTest<CrossGatewayCluster>(cluster, output)
{
    private const int MessageCount = 10;

    [Theory]
    [InlineData(Tcp, Tcp, MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(Tcp, Tcp, MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(Tcp, Tcp, MqttQualityOfServiceLevel.ExactlyOnce)]
    [InlineData(WebSocket, WebSocket, MqttQualityOfServiceLevel.AtMostOnce)]
    [InlineData(WebSocket, WebSocket, MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(WebSocket, WebSocket, MqttQualityOfServiceLevel.ExactlyOnce)]
    [InlineData(Tcp, WebSocket, MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(WebSocket, Tcp, MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task Subscriber_on_gateway_A_receives_in_order_what_a_publisher_on_gateway_B_sends(
        MqttTransport subscriberTransport, MqttTransport publisherTransport, MqttQualityOfServiceLevel qos)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync(Cluster.GatewayA, subscriberTransport);
        await subscriber.SubscribeAsync(topic, qos);
        var publisher = await ConnectAsync(Cluster.GatewayB, publisherTransport);

        var sent = Enumerable.Range(1, MessageCount).Select(i => $"m{i}").ToArray();
        foreach (var payload in sent)
        {
            await publisher.PublishAsync(topic, payload, qos);
        }

        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, qos);

        // Everything, in publish order, once: the marker comes last and nothing comes twice.
        var received = await subscriber.Inbox.UntilMarkerAsync(marker, context: Describe);
        Assert.Equal([.. sent, marker], received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(qos, m.QualityOfService));
    }

    [Theory]
    [InlineData(Tcp)]
    [InlineData(WebSocket)]
    public async Task Co_hosted_and_standalone_gateways_exchange_messages_both_ways(MqttTransport transport)
    {
        var topic = NewTopic();
        var onSilo = await ConnectAsync(Cluster.CoHostedGateway, transport);
        var standalone = await ConnectAsync(Cluster.GatewayA, transport);
        await onSilo.SubscribeAsync($"{topic}/to-silo", MqttQualityOfServiceLevel.ExactlyOnce);
        await standalone.SubscribeAsync($"{topic}/to-gateway", MqttQualityOfServiceLevel.AtLeastOnce);

        await standalone.PublishAsync($"{topic}/to-silo", "from the standalone gateway", MqttQualityOfServiceLevel.ExactlyOnce);
        await onSilo.PublishAsync($"{topic}/to-gateway", "from the silo's gateway", MqttQualityOfServiceLevel.AtLeastOnce);

        var atSilo = await onSilo.Inbox.NextAsync("the message from gateway-1 at the co-hosted gateway", context: Describe);
        Assert.Equal(("from the standalone gateway", MqttQualityOfServiceLevel.ExactlyOnce), (atSilo.Text, atSilo.QualityOfService));
        var atGateway = await standalone.Inbox.NextAsync("the message from the co-hosted gateway at gateway-1", context: Describe);
        Assert.Equal(("from the silo's gateway", MqttQualityOfServiceLevel.AtLeastOnce), (atGateway.Text, atGateway.QualityOfService));
    }

    [Fact]
    public async Task Retained_message_set_through_gateway_A_reaches_new_subscribers_on_other_gateways()
    {
        var topic = NewTopic();
        var publisher = await ConnectAsync(Cluster.GatewayA);
        await publisher.PublishAsync($"{topic}/kitchen", "21.5", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{topic}/hall/lamp", "on", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);

        // Exact filter on gateway B, over WebSocket.
        var exact = await ConnectAsync(Cluster.GatewayB, WebSocket);
        await exact.SubscribeAsync($"{topic}/kitchen");
        var kitchen = await exact.Inbox.NextAsync("the retained message at a new subscriber on gateway-2", context: Describe);
        Assert.Equal(($"{topic}/kitchen", "21.5", true), (kitchen.Topic, kitchen.Text, kitchen.Retain));

        // Wildcard filter on the co-hosted gateway: the retained index finds both topics.
        var wildcard = await ConnectAsync(Cluster.CoHostedGateway);
        await wildcard.SubscribeAsync($"{topic}/#", MqttQualityOfServiceLevel.ExactlyOnce);
        var both = await wildcard.Inbox.TakeAsync(2, "both retained messages at a '#' subscriber on the co-hosted gateway", context: Describe);
        Assert.Equal(
            [($"{topic}/hall/lamp", "on", MqttQualityOfServiceLevel.ExactlyOnce), ($"{topic}/kitchen", "21.5", MqttQualityOfServiceLevel.AtLeastOnce)],
            both.Select(m => (m.Topic, m.Text, m.QualityOfService)).OrderBy(m => m.Topic, StringComparer.Ordinal));
        Assert.All(both, m => Assert.True(m.Retain, $"{m} should carry RETAIN as it was sent on subscribe"));

        // Cleared through another gateway: a later subscriber gets nothing.
        var clearer = await ConnectAsync(Cluster.GatewayB);
        await clearer.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic($"{topic}/kitchen").WithRetainFlag().WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var late = await ConnectAsync(Cluster.GatewayA);
        await late.SubscribeAsync($"{topic}/kitchen");
        var marker = NewMarker();
        await late.PublishAsync($"{topic}/kitchen", marker);
        Assert.Equal([marker], (await late.Inbox.UntilMarkerAsync(marker, context: Describe)).Select(m => m.Text));
    }

    [Fact]
    public async Task Wildcard_subscriptions_on_every_gateway_match_messages_published_through_another()
    {
        var topic = NewTopic();
        var plus = await ConnectAsync(Cluster.GatewayA);
        await plus.SubscribeAsync($"{topic}/+/temperature");
        var hash = await ConnectAsync(Cluster.CoHostedGateway, WebSocket);
        await hash.SubscribeAsync($"{topic}/#");
        var kitchen = await ConnectAsync(Cluster.GatewayB, WebSocket);
        await kitchen.SubscribeAsync($"{topic}/kitchen/+");

        var publisher = await ConnectAsync(Cluster.GatewayB);
        string[] topics = [$"{topic}/kitchen/temperature", $"{topic}/hall/temperature", $"{topic}/kitchen/humidity", $"{topic}/hall/humidity", $"{topic}/hall", $"{topic}-other/kitchen/temperature"];
        foreach (var name in topics)
        {
            await publisher.PublishAsync(name, name);
        }

        // A marker on the one topic all three filters match comes after the others of that topic only, so the
        // check waits for every expected message first and then for the marker.
        var marker = NewMarker();
        await AssertReceivesAsync(plus, "'+/temperature' on gateway-1", [topics[0], topics[1]]);
        await AssertReceivesAsync(hash, "'#' on the co-hosted gateway", [topics[0], topics[1], topics[2], topics[3], topics[4]]);
        await AssertReceivesAsync(kitchen, "'kitchen/+' on gateway-2", [topics[0], topics[2]]);
        await publisher.PublishAsync(topics[0], marker);
        foreach (var (client, where) in new[] { (plus, "gateway-1"), (hash, "the co-hosted gateway"), (kitchen, "gateway-2") })
        {
            var rest = await client.Inbox.UntilMarkerAsync(marker, context: Describe);
            Assert.True(rest.Count == 1, $"The subscriber on {where} received more than it matches: {string.Join(", ", rest)}");
        }

        async Task AssertReceivesAsync(MqttTestClient client, string what, string[] expected)
        {
            var received = await client.Inbox.TakeAsync(expected.Length, $"the messages for {what}", context: Describe);
            Assert.Equal(expected.Order(StringComparer.Ordinal), received.Select(m => m.Topic).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task Mosquitto_sub_on_the_co_hosted_gateway_receives_mosquitto_pub_on_a_standalone_gateway()
    {
        var topic = NewTopic();
        var publisherPort = Cluster.GatewayB.TcpPort;
        await using var subscriber = await MosquittoClients.StartReadySubscriberAsync(Cluster.CoHostedGateway.TcpPort, publisherPort, topic, messagesAfterMarker: 3, "-q", "2");

        await MosquittoClients.PublishAsync(publisherPort, "-t", $"{topic}/q0", "-m", "zero", "-q", "0");
        await MosquittoClients.PublishAsync(publisherPort, "-t", $"{topic}/q1", "-m", "one", "-q", "1", "-V", "mqttv5");
        await MosquittoClients.PublishAsync(publisherPort, "-t", $"{topic}/q2", "-m", "two", "-q", "2");

        // Three publisher processes, three topics: no order between them, but each arrives once.
        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, Describe);
        Assert.Equal($"{topic}/ready ready", subscriber.Output.Lines[0]);
        Assert.Equal(
            [$"{topic}/q0 zero", $"{topic}/q1 one", $"{topic}/q2 two"],
            subscriber.Output.Lines.Skip(1).Order(StringComparer.Ordinal));
    }
}
