using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// One client id across gateways: the session grain is the single authority, so a CONNECT on gateway B takes the
/// session over from the connection on gateway A [MQTT-3.1.4-3], with everything that connection had not finished.
/// </summary>
[Collection(CrossGatewayCollection.Name)]
public sealed class TakeoverTests(CrossGatewayCluster cluster, ITestOutputHelper output) : ClusterTest<CrossGatewayCluster>(cluster, output)
{
    [Theory]
    [InlineData(MqttTransport.Tcp)]
    [InlineData(MqttTransport.WebSocket)]
    public async Task Same_client_id_on_gateway_B_takes_over_the_persistent_session_and_its_queued_messages(MqttTransport transport)
    {
        var clientId = MqttTestClient.NewClientId("takeover");
        var topic = NewTopic();

        // Receive maximum 1 and no acknowledgements: the first message stays in flight on gateway A, the others
        // wait behind it in that connection's queue.
        var first = await ConnectAsync(Cluster.GatewayA, transport, clientId, o => o.WithCleanStart(false).WithSessionExpiryInterval(300).WithReceiveMaximum(1));
        first.Inbox.HoldAcknowledgements = true;
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await ConnectAsync(Cluster.CoHostedGateway);
        foreach (var payload in new[] { "q1", "q2", "q3" })
        {
            await publisher.PublishAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        Assert.Equal("q1", (await first.Inbox.NextAsync("q1 in flight on gateway-1", context: Describe)).Text);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var second = await ConnectAsync(Cluster.GatewayB, transport, clientId, o => o.WithCleanStart(false).WithSessionExpiryInterval(300));
        Output.WriteLine($"takeover CONNECT on gateway-2 answered in {stopwatch.Elapsed.TotalSeconds:0.00} s");
        Assert.True(second.ConnectResult.IsSessionPresent, "The session should continue on gateway-2 (session present).");

        var disconnected = await Within.Async(first.Disconnected, "gateway-1 to close the old connection", context: Describe);
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, disconnected.Reason);

        // The unacknowledged message again with DUP [MQTT-4.4.0-1], then the queued ones, in order.
        var resumed = await second.Inbox.TakeAsync(3, "the session's unfinished messages on gateway-2", context: Describe);
        Assert.Equal(["q1", "q2", "q3"], resumed.Select(m => m.Text));
        Assert.True(resumed[0].Duplicate, "q1 was sent before and not acknowledged: it comes again with DUP.");

        // The subscription came along with the session.
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await second.Inbox.UntilMarkerAsync(marker, context: Describe)).Select(m => m.Text));
        Assert.Equal(["q1"], first.Inbox.All.Select(m => m.Text));
    }
}
