using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.Security;

/// <summary>
/// <c>$CONTROL/dynamic-security/v1</c> driven by an MQTT client as mosquitto_ctrl does (JSON in, JSON on the
/// response topic), and the plugin beside the password and ACL files.
/// </summary>
public sealed class DynamicSecurityControlTests(DynamicSecurityBrokerFixture broker)
    : BrokerTest<DynamicSecurityBrokerFixture>(broker), IClassFixture<DynamicSecurityBrokerFixture>
{
    [Fact]
    public async Task A_command_batch_is_answered_on_the_response_topic_with_its_correlation_data()
    {
        var admin = await ConnectAsync(AdminUser, AdminPassword);
        await admin.SubscribeAsync("$CONTROL/dynamic-security/v1/response");

        await admin.PublishAsync(Command("""{"commands":[{"command":"createClient","username":"dora","password":"pw","correlationData":"c1"},{"command":"getClient","username":"nobody"}]}""", correlation: [1, 2, 3]));

        var response = await admin.Inbox.NextAsync("the response to createClient + getClient");
        Assert.Equal("""{"responses":[{"command":"createClient","correlationData":"c1"},{"command":"getClient","error":"Client not found"}]}""", response.Text);
        Assert.Equal([1, 2, 3], response.Message.CorrelationData);
        Assert.Equal(MqttClientConnectResultCode.Success, (await TryConnectAsync("dora", "pw")).ConnectResult!.ResultCode);
    }

    [Fact]
    public async Task A_password_file_user_logs_in_beside_dynamic_security_and_the_acl_file_decides_for_it()
    {
        var carol = await ConnectAsync(FileUser, FileUserPassword);

        Assert.True((await carol.Mqtt.PublishAsync(Message("allowed/t"))).IsSuccess);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await carol.Mqtt.PublishAsync(Message("elsewhere/t"))).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await carol.Mqtt.PublishAsync(Command("""{"commands":[]}"""))).ReasonCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await TryConnectAsync(FileUser, "wrong")).ConnectResult!.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, (await TryConnectAsync("stranger", "pw")).ConnectResult!.ResultCode);
    }

    [Fact]
    public async Task An_unsubscribe_acl_keeps_the_subscription_and_answers_not_authorized()
    {
        var admin = await ConnectAsync(AdminUser, AdminPassword);
        await admin.SubscribeAsync("$CONTROL/dynamic-security/v1/response");
        await admin.PublishAsync(Command("""
            {"commands":[
                {"command":"createRole","rolename":"pinned","acls":[
                    {"acltype":"subscribePattern","topic":"pinned/#","allow":true},
                    {"acltype":"unsubscribePattern","topic":"pinned/locked/#","allow":false}]},
                {"command":"createClient","username":"una","password":"pw","roles":[{"rolename":"pinned"}]}]}
            """));
        Assert.DoesNotContain("error", (await admin.Inbox.NextAsync("the answer to createRole + createClient")).Text, StringComparison.Ordinal);
        var una = await ConnectAsync("una", "pw");
        await una.SubscribeAsync("pinned/locked/x", MqttQualityOfServiceLevel.AtLeastOnce);
        await una.SubscribeAsync("pinned/open/x", MqttQualityOfServiceLevel.AtLeastOnce);

        var locked = await una.UnsubscribeAsync("pinned/locked/x");
        var open = await una.UnsubscribeAsync("pinned/open/x");

        Assert.Equal(MqttClientUnsubscribeResultCode.NotAuthorized, Assert.Single(locked.Items).ResultCode);
        Assert.Equal(MqttClientUnsubscribeResultCode.Success, Assert.Single(open.Items).ResultCode);

        // The subscription stayed: a second UNSUBSCRIBE is refused again rather than finding nothing.
        Assert.Equal(MqttClientUnsubscribeResultCode.NotAuthorized, Assert.Single((await una.UnsubscribeAsync("pinned/locked/x")).Items).ResultCode);
    }

    private async Task<TestClient> ConnectAsync(string username, string password)
    {
        var client = await TryConnectAsync(username, password);
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        return client;
    }

    private Task<TestClient> TryConnectAsync(string username, string password) =>
        TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithCredentials(username, password).Build());

    internal static MqttApplicationMessage Command(string json, byte[]? correlation = null) =>
        new MqttApplicationMessageBuilder()
            .WithTopic("$CONTROL/dynamic-security/v1")
            .WithPayload(Encoding.UTF8.GetBytes(json))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithCorrelationData(correlation)
            .Build();

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("x").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
