using System.Net;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Listeners;

/// <summary>
/// Listeners with settings of their own (Mosquitto's listener sections): a mount point confines a listener's
/// clients to their subtree, its maximum QoS is announced and enforced, and its own password file decides who
/// gets in there, while the default listener keeps the broker-wide rules.
/// </summary>
public sealed class ListenerSettingsTests(ListenersBrokerFixture broker) : BrokerTest<ListenersBrokerFixture>(broker), IClassFixture<ListenersBrokerFixture>
{
    [Fact]
    public async Task What_a_mounted_client_publishes_is_under_the_mount_point_for_everyone_else()
    {
        var topic = NewTopic();
        var outside = await ConnectAsync();
        await outside.SubscribeAsync($"{ListenersBrokerFixture.MountPoint}{topic}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var tenant = await ConnectToAsync(Broker.TenantEndPoint);

        await tenant.PublishAsync($"{topic}/t", "from the tenant", MqttQualityOfServiceLevel.AtLeastOnce);

        var received = await outside.Inbox.NextAsync("the tenant's message");
        Assert.Equal(($"{ListenersBrokerFixture.MountPoint}{topic}/t", "from the tenant"), (received.Topic, received.Text));
    }

    [Fact]
    public async Task A_mounted_client_sees_only_its_subtree_and_without_the_mount_point()
    {
        var topic = NewTopic();
        var tenant = await ConnectToAsync(Broker.TenantEndPoint);
        await tenant.SubscribeAsync("#", MqttQualityOfServiceLevel.AtLeastOnce);
        var outside = await ConnectAsync();
        var marker = NewMarker();

        await outside.PublishAsync($"{topic}/not-mine", "outside the mount point", MqttQualityOfServiceLevel.AtLeastOnce);
        await outside.PublishAsync($"{ListenersBrokerFixture.MountPoint}{topic}/mine", "inside", MqttQualityOfServiceLevel.AtLeastOnce);
        await outside.PublishAsync($"{ListenersBrokerFixture.MountPoint}{topic}/marker", marker, MqttQualityOfServiceLevel.AtLeastOnce);

        var received = await tenant.Inbox.UntilMarkerAsync(marker);
        Assert.Equal([($"{topic}/mine", "inside"), ($"{topic}/marker", marker)], received.Select(m => (m.Topic, m.Text)));
    }

    [Fact]
    public async Task The_maximum_qos_is_announced_and_a_subscription_is_granted_no_more()
    {
        var tenant = await ConnectToAsync(Broker.TenantEndPoint);

        var granted = await tenant.SubscribeAsync(NewTopic(), MqttQualityOfServiceLevel.ExactlyOnce);

        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, tenant.ConnectResult!.MaximumQoS);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(granted.Items).ResultCode);
    }

    [Fact]
    public async Task A_publish_above_the_maximum_qos_gets_disconnect_qos_not_supported()
    {
        await using var raw = await RawMqttClient.ConnectAsync(Broker.TenantEndPoint, MqttProtocolVersion.V500, new MqttConnectPacket { ClientId = NewClientId() });

        await raw.SendAsync(new MqttPublishPacket { Topic = NewTopic(), QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce, PacketIdentifier = 1 });

        var disconnect = await raw.ReceiveAsync<MqttDisconnectPacket>("DISCONNECT");
        Assert.Equal(MqttDisconnectReasonCode.QoSNotSupported, disconnect.ReasonCode);
    }

    [Fact]
    public async Task A_will_above_the_maximum_qos_gets_connack_qos_not_supported()
    {
        await using var raw = await RawMqttClient.OpenAsync(Broker.TenantEndPoint, MqttProtocolVersion.V500);

        await raw.SendAsync(new MqttConnectPacket { ClientId = NewClientId(), WillFlag = true, WillTopic = "will", WillMessage = [1], WillQoS = MqttQualityOfServiceLevel.ExactlyOnce });

        Assert.Equal(MqttConnectReasonCode.QoSNotSupported, (await raw.ReceiveAsync<MqttConnAckPacket>("CONNACK")).ReasonCode);
    }

    [Fact]
    public async Task The_listener_with_its_own_password_file_refuses_anonymous_clients_and_admits_its_users()
    {
        var anonymous = await TryConnectAsync(MqttProtocolVersion.V500, OptionsFor(Broker.MembersEndPoint).Build());
        var member = await TryConnectAsync(MqttProtocolVersion.V500, OptionsFor(Broker.MembersEndPoint)
            .WithCredentials(ListenersBrokerFixture.Username, ListenersBrokerFixture.Password).Build());
        var elsewhere = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).Build());

        Assert.Equal(
            [MqttClientConnectResultCode.NotAuthorized, MqttClientConnectResultCode.Success, MqttClientConnectResultCode.Success],
            new[] { anonymous, member, elsewhere }.Select(c => c.ConnectResult!.ResultCode));
    }

    [Fact]
    public async Task A_payload_above_the_message_size_limit_is_dropped_and_acknowledged_with_quota_exceeded()
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await ConnectAsync();

        var tooLarge = await publisher.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithPayload(new byte[ListenersBrokerFixture.MessageSizeLimit + 1]).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var atTheLimit = await publisher.PublishAsync(topic, new byte[ListenersBrokerFixture.MessageSizeLimit], MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal((MqttClientPublishReasonCode.QuotaExceeded, true), (tooLarge.ReasonCode, atTheLimit.IsSuccess));
        Assert.Equal(ListenersBrokerFixture.MessageSizeLimit, (await subscriber.Inbox.NextAsync("the message at the limit")).Payload.Length);
    }

    [Fact]
    public async Task A_will_above_the_message_size_limit_gets_connack_packet_too_large_in_mqtt_5()
    {
        var connAck = await ConnectWithLargeWillAsync(MqttProtocolVersion.V500);

        Assert.Equal(MqttConnectReasonCode.PacketTooLarge, connAck.ReasonCode);
    }

    [Fact]
    public async Task A_will_above_the_message_size_limit_gets_connack_not_authorized_in_mqtt_3_1_1()
    {
        var connAck = await ConnectWithLargeWillAsync(MqttProtocolVersion.V311);

        Assert.Equal(MqttConnectReturnCode.ConnectionRefusedNotAuthorized, connAck.ReturnCode);
    }

    private async Task<MqttConnAckPacket> ConnectWithLargeWillAsync(MqttProtocolVersion version)
    {
        await using var raw = await RawMqttClient.OpenAsync(Broker.TcpEndPoint, version);
        await raw.SendAsync(new MqttConnectPacket
        {
            ClientId = NewClientId(),
            CleanSession = true,
            WillFlag = true,
            WillTopic = "will",
            WillMessage = new byte[ListenersBrokerFixture.MessageSizeLimit + 1],
        });
        return await raw.ReceiveAsync<MqttConnAckPacket>("CONNACK");
    }

    private MqttClientOptionsBuilder OptionsFor(IPEndPoint endPoint) =>
        new MqttClientOptionsBuilder().WithProtocolVersion(MqttProtocolVersion.V500).WithClientId(NewClientId())
            .WithTimeout(Within.DefaultTimeout).WithTcpServer("127.0.0.1", endPoint.Port);

    private async Task<TestClient> ConnectToAsync(IPEndPoint endPoint)
    {
        var client = await TryConnectAsync(MqttProtocolVersion.V500, OptionsFor(endPoint).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        return client;
    }
}
