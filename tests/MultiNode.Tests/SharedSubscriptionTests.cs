using System.Globalization;
using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>Shared subscriptions (<c>$share/{group}/{filter}</c>) whose members sit on different gateways.</summary>
[Collection(CrossGatewayCollection.Name)]
public sealed class SharedSubscriptionTests(CrossGatewayCluster cluster, ITestOutputHelper output) : ClusterTest<CrossGatewayCluster>(cluster, output)
{
    private const int MessageCount = 40;

    [Fact]
    public async Task Members_on_two_gateways_share_the_messages_each_delivered_exactly_once()
    {
        var topic = NewTopic();
        var filter = $"$share/g{Guid.NewGuid():N}"[..16] + $"/{topic}/#";
        var memberA = await ConnectAsync(Cluster.GatewayA);
        await memberA.SubscribeAsync(filter);
        var memberB = await ConnectAsync(Cluster.GatewayB, MqttTransport.WebSocket);
        await memberB.SubscribeAsync(filter);
        MqttTestClient[] members = [memberA, memberB];

        var publisher = await ConnectAsync(Cluster.CoHostedGateway);
        for (var i = 0; i < MessageCount; i++)
        {
            await publisher.PublishAsync($"{topic}/data", i.ToString(CultureInfo.InvariantCulture), MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await Within.PollAsync(
            () => members.Sum(m => m.Inbox.All.Count) >= MessageCount,
            $"{MessageCount} messages across the two members",
            Within.DefaultTimeout,
            () => $"received: gateway-1 {memberA.Inbox.All.Count}, gateway-2 {memberB.Inbox.All.Count}\n{Describe()}");

        // A member that got a marker (same topic, same publisher, later) has also got everything sent to it
        // before; markers go round-robin, so a few of them reach both members.
        for (var markers = 1; members.Any(m => !m.Inbox.All.Any(r => r.Text.StartsWith("marker-", StringComparison.Ordinal))); markers++)
        {
            Assert.True(markers <= 20, "20 markers did not reach both members of the group.");
            var marker = NewMarker();
            await publisher.PublishAsync($"{topic}/data", marker, MqttQualityOfServiceLevel.AtLeastOnce);
            await Within.PollAsync(() => members.Any(m => m.Inbox.All.Any(r => r.Text == marker)), $"marker {marker} at one member", Within.DefaultTimeout, Describe);
        }

        var deliveredA = Numbered(memberA);
        var deliveredB = Numbered(memberB);
        Output.WriteLine($"gateway-1 member got {deliveredA.Count}, gateway-2 member got {deliveredB.Count} of {MessageCount}");
        var all = deliveredA.Concat(deliveredB).ToList();
        Assert.Equal(Enumerable.Range(0, MessageCount), all.Order());
        Assert.True(deliveredA.Count > 0 && deliveredB.Count > 0, $"Both gateways' members should get some: gateway-1 {deliveredA.Count}, gateway-2 {deliveredB.Count}.");
        Assert.True(IsAscending(deliveredA) && IsAscending(deliveredB), $"Each member gets its share in publish order: [{string.Join(',', deliveredA)}] [{string.Join(',', deliveredB)}]");
    }

    private static List<int> Numbered(MqttTestClient member) =>
        [.. member.Inbox.All.Where(m => !m.Text.StartsWith("marker-", StringComparison.Ordinal)).Select(m => int.Parse(m.Text, CultureInfo.InvariantCulture))];

    private static bool IsAscending(List<int> numbers) => numbers.Zip(numbers.Skip(1)).All(p => p.First < p.Second);
}
