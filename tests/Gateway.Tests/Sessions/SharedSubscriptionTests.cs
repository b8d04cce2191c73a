using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// Shared subscriptions <c>$share/{group}/{filter}</c> (MQTT 5, 4.8.2; also accepted from 3.1.1 clients): each
/// message goes to one member, round-robin; a member that leaves with unacknowledged messages does not lose them;
/// an offline member does not swallow the group's messages; no retained messages; no-local is refused.
/// </summary>
public sealed class SharedSubscriptionTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Each_message_goes_to_exactly_one_member_in_turn()
    {
        var topic = NewTopic();
        var group = $"$share/g/{topic}";
        MqttProtocolVersion[] versions = [MqttProtocolVersion.V500, MqttProtocolVersion.V311, MqttProtocolVersion.V500];
        var members = new List<TestClient>();
        foreach (var version in versions)
        {
            var member = await ConnectAsync(version: version);
            await member.SubscribeAsync(group, MqttQualityOfServiceLevel.AtLeastOnce);
            members.Add(member);
        }

        var publisher = await ConnectAsync();
        for (var i = 0; i < 30; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var received = await CollectAsync(members, 30, "the 30 messages across the group");

        // Every message exactly once overall (a duplicate would leave one out of the first 30 received).
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"m-{i}").Order(), received.SelectMany(r => r).Order());
        Assert.All(received, r => Assert.InRange(r.Count, 5, 15));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Unacknowledged_messages_of_a_leaving_member_go_to_another_member(MqttProtocolVersion version)
    {
        var topic = NewTopic();
        var group = $"$share/g/{topic}";
        var leaving = await ConnectAsync(version: version);
        leaving.Inbox.HoldAcknowledgements = true;
        await leaving.SubscribeAsync(group, MqttQualityOfServiceLevel.AtLeastOnce);
        var staying = new List<TestClient>();
        for (var i = 0; i < 2; i++)
        {
            var member = await ConnectAsync();
            await member.SubscribeAsync(group, MqttQualityOfServiceLevel.AtLeastOnce);
            staying.Add(member);
        }

        var publisher = await ConnectAsync();
        for (var i = 0; i < 30; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var unacknowledged = (await CollectAsync([leaving, .. staying], 30, "the 30 messages across the group"))[0];
        Assert.NotEmpty(unacknowledged);

        // 4.8.2: a QoS 1 message whose member goes away before acknowledging it is sent to another member,
        // whether it said DISCONNECT or its connection dropped.
        if (version == MqttProtocolVersion.V500)
        {
            await leaving.DisconnectAsync();
        }
        else
        {
            leaving.Abort();
        }

        var redelivered = await CollectAsync(staying, unacknowledged.Count, "the left member's messages at the others");
        Assert.Equal(unacknowledged.Order(), redelivered.SelectMany(r => r).Order());
    }

    [Fact]
    public async Task Offline_persistent_member_does_not_swallow_the_groups_messages()
    {
        var topic = NewTopic();
        var group = $"$share/g/{topic}";
        var clientId = NewClientId("member");
        var sleeper = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await sleeper.SubscribeAsync(group, MqttQualityOfServiceLevel.AtLeastOnce);
        var awake = await ConnectAsync();
        await awake.SubscribeAsync(group, MqttQualityOfServiceLevel.AtLeastOnce);
        await sleeper.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(2);

        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(topic, $"offline-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => $"offline-{i}"),
            (await awake.Inbox.TakeAsync(10, "every message at the member that is online")).Select(m => m.Text));

        // Back with its session, it is a member again without subscribing, and gets only new messages.
        var back = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        Assert.True(back.ConnectResult!.IsSessionPresent);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(topic, $"online-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var received = await CollectAsync([back, awake], 10, "the new messages across the group");
        Assert.NotEmpty(received[0]);
        Assert.All(received[0], text => Assert.StartsWith("online-", text, StringComparison.Ordinal));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"online-{i}").Order(), received.SelectMany(r => r).Order());
    }

    [Fact]
    public async Task Shared_subscription_gets_no_retained_messages()
    {
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        var member = await ConnectAsync();

        // MQTT 5, 4.8.2: retained messages are not sent when a shared subscription is made.
        await member.SubscribeAsync($"$share/g/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await member.Inbox.UntilMarkerAsync(marker);
        Assert.Equal([marker], received.Select(m => m.Text));
    }

    [Fact]
    public async Task No_local_on_a_shared_subscription_is_a_protocol_error()
    {
        var client = await ConnectRawAsync(MqttProtocolVersion.V500, new MqttConnectPacket { ClientId = NewClientId("nolocal"), CleanSession = true });

        // [MQTT-3.8.3-4]: no-local set on a shared subscription is a protocol error.
        await client.SendAsync(new MqttSubscribePacket
        {
            PacketIdentifier = 1,
            TopicFilters = [new MqttTopicFilter { Topic = $"$share/g/{NewTopic()}", QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, NoLocal = true }],
        });

        var packets = await client.ReceiveUntilClosedAsync("the broker to close the connection");
        var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets));
        Assert.Equal(MqttDisconnectReasonCode.ProtocolError, disconnect.ReasonCode);
    }

    /// <summary>Takes what the clients receive until <paramref name="total"/> messages arrived altogether.</summary>
    private static async Task<List<string>[]> CollectAsync(IReadOnlyList<TestClient> clients, int total, string awaited)
    {
        var received = clients.Select(_ => new List<string>()).ToArray();
        await Within.PollAsync(
            () =>
            {
                for (var i = 0; i < clients.Count; i++)
                {
                    received[i].AddRange(clients[i].Inbox.Drain().Select(m => m.Text));
                }

                return Task.FromResult(received.Sum(r => r.Count) >= total);
            },
            awaited,
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(10));
        return received;
    }
}
