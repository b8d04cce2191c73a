using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Security;

/// <summary>What an MQTT 5 client hears when the ACL says no: PUBACK / SUBACK 0x87 (not authorised).</summary>
public sealed class AclReasonCodeTests(AclBrokerFixture broker) : BrokerTest<AclBrokerFixture>(broker), IClassFixture<AclBrokerFixture>
{
    [Fact]
    public async Task A_denied_publish_gets_puback_not_authorized_and_an_allowed_one_success()
    {
        var client = await ConnectAsCarolAsync();

        var denied = await client.Mqtt.PublishAsync(Message("elsewhere/t"));
        var allowed = await client.Mqtt.PublishAsync(Message("allowed/t"));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, denied.ReasonCode);
        Assert.True(allowed.IsSuccess, $"allowed publish: {allowed.ReasonCode}");
    }

    [Fact]
    public async Task A_denied_subscription_gets_suback_not_authorized()
    {
        var client = await ConnectAsCarolAsync();

        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("secret/#")
            .WithTopicFilter("readonly/#")
            .Build());

        Assert.Equal(
            [MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS0],
            result.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task A_wrong_password_gets_connack_bad_user_name_or_password()
    {
        var options = Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithCredentials(AclBrokerFixture.Username, "wrong").Build();

        var client = await TryConnectAsync(MqttProtocolVersion.V500, options);

        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, client.ConnectResult!.ResultCode);
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    private Task<TestClient> ConnectAsCarolAsync() =>
        ConnectAsync(configure: o => o.WithCredentials(AclBrokerFixture.Username, AclBrokerFixture.Password));
}
