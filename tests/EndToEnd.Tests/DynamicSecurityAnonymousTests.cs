using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// Dynamic security with <c>allow_anonymous true</c>: anonymous clients get the default ACL access until
/// mosquitto_ctrl's <c>setAnonymousGroup</c> gives them a group; the change disconnects them (as the plugin does), so
/// they come back under the group's roles.
/// </summary>
public sealed class DynamicSecurityAnonymousTests(DynamicSecurityAnonymousTests.AnonymousFixture fixture)
    : BrokerTest(fixture), IClassFixture<DynamicSecurityAnonymousTests.AnonymousFixture>
{
    private const string Admin = "admin";
    private const string AdminPassword = "admin-secret";

    [Fact]
    public async Task The_anonymous_group_gives_anonymous_clients_its_roles()
    {
        await using var before = await RecordingMqttClient.ConnectAnonymousAsync(Broker, "anon-1");
        Assert.Equal(MqttClientConnectResultCode.Success, before.ConnectResultCode);
        var refused = await before.Mqtt.SubscribeAsync("guests/#");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(refused.Items).ResultCode);

        await CtrlAsync("createRole", "guest");
        await CtrlAsync("addRoleACL", "guest", "subscribePattern", "guests/#", "allow");
        await CtrlAsync("createGroup", "guests");
        await CtrlAsync("addGroupRole", "guests", "guest");
        await CtrlAsync("setAnonymousGroup", "guests");

        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await before.WaitDisconnectedAsync("after setAnonymousGroup")).Reason);
        await using var after = await RecordingMqttClient.ConnectAnonymousAsync(Broker, "anon-1");
        var granted = await after.Mqtt.SubscribeAsync("guests/#");
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, Assert.Single(granted.Items).ResultCode);
    }

    private Task<IReadOnlyList<string>> CtrlAsync(params string[] arguments) =>
        MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, arguments);

    public sealed class AnonymousFixture : DynamicSecurityTests.Fixture
    {
        public AnonymousFixture()
            : base(allowAnonymous: true)
        {
        }
    }
}
