using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// Mosquitto's dynamic security as its users run it: mosquitto.conf loads the plugin with a dynamic-security.json
/// made by <c>mosquitto_ctrl dynsec init</c>, Debian's mosquitto_ctrl manages clients, groups and roles at run time,
/// and MQTTnet clients see the effect at once.
/// </summary>
public sealed class DynamicSecurityTests(DynamicSecurityTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<DynamicSecurityTests.Fixture>
{
    private const string Admin = "admin";
    private const string AdminPassword = "admin-secret";

    private Task<IReadOnlyList<string>> CtrlAsync(params string[] arguments) =>
        MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, arguments);

    [Fact]
    public async Task Mosquitto_ctrl_gets_the_answers_mosquitto_gives()
    {
        Assert.Empty(await CtrlAsync("createClient", "ctrl-alice", "-p", "pw", "-c", "ctrl-cid"));
        Assert.Equal(["createClient: Error: Client already exists"], await CtrlAsync("createClient", "ctrl-alice", "-p", "pw"));
        await CtrlAsync("createRole", "ctrl-r1");
        await CtrlAsync("addRoleACL", "ctrl-r1", "publishClientSend", "a/#", "allow", "5");
        await CtrlAsync("addClientRole", "ctrl-alice", "ctrl-r1", "3");
        await CtrlAsync("createGroup", "ctrl-g1");
        await CtrlAsync("addGroupClient", "ctrl-g1", "ctrl-alice", "2");
        await CtrlAsync("addGroupRole", "ctrl-g1", "ctrl-r1");

        // As Debian's Mosquitto 2.0.11 prints them for the same commands.
        Assert.Equal(["Username: ctrl-alice", "Clientid: ctrl-cid", "Roles:    ctrl-r1 (priority: 3)", "Groups:   ctrl-g1 (priority: 2)"], await CtrlAsync("getClient", "ctrl-alice"));
        Assert.Equal(["Rolename: ctrl-r1", "ACLs:     publishClientSend    : allow : a/# (priority: 5)"], await CtrlAsync("getRole", "ctrl-r1"));
        Assert.Equal(["Groupname: ctrl-g1", "Roles:     ctrl-r1 (priority: -1)", "Clients:   ctrl-alice"], await CtrlAsync("getGroup", "ctrl-g1"));
        Assert.Contains("ctrl-alice", await CtrlAsync("listClients"));
        Assert.Contains("ctrl-g1", await CtrlAsync("listGroups"));
        Assert.Contains("ctrl-r1", await CtrlAsync("listRoles"));
        await CtrlAsync("setDefaultACLAccess", "unsubscribe", "deny");
        Assert.Equal(["publishClientSend    : deny", "publishClientReceive : allow", "subscribe            : deny", "unsubscribe          : deny"], await CtrlAsync("getDefaultACLAccess"));
        await CtrlAsync("setDefaultACLAccess", "unsubscribe", "allow");
        Assert.Equal(["getClient: Error: Client not found"], await CtrlAsync("getClient", "nobody"));
        Assert.Equal(["deleteRole: Error: Role not found"], await CtrlAsync("deleteRole", "nope"));

        await CtrlAsync("removeGroupRole", "ctrl-g1", "ctrl-r1");
        await CtrlAsync("removeGroupClient", "ctrl-g1", "ctrl-alice");
        await CtrlAsync("removeClientRole", "ctrl-alice", "ctrl-r1");
        await CtrlAsync("removeRoleACL", "ctrl-r1", "publishClientSend", "a/#");
        await CtrlAsync("setClientId", "ctrl-alice", "other-cid");
        await CtrlAsync("setClientPassword", "ctrl-alice", "pw2");
        await CtrlAsync("deleteGroup", "ctrl-g1");
        await CtrlAsync("deleteRole", "ctrl-r1");
        Assert.Equal(["Username: ctrl-alice", "Clientid: other-cid"], await CtrlAsync("getClient", "ctrl-alice"));
        await CtrlAsync("deleteClient", "ctrl-alice");
        Assert.Equal(["getClient: Error: Client not found"], await CtrlAsync("getClient", "ctrl-alice"));
    }

    [Fact]
    public async Task A_created_client_connects_and_its_role_decides_what_it_may_publish_subscribe_and_receive()
    {
        await CtrlAsync("createRole", "device");
        await CtrlAsync("addRoleACL", "device", "publishClientSend", "dev/out/#", "allow");
        await CtrlAsync("addRoleACL", "device", "subscribePattern", "dev/in/#", "allow");
        await CtrlAsync("addRoleACL", "device", "publishClientReceive", "dev/in/secret", "deny");
        await CtrlAsync("createClient", "device-1", "-p", "device-pw");
        await CtrlAsync("addClientRole", "device-1", "device");
        await CtrlAsync("createRole", "feeder");
        await CtrlAsync("addRoleACL", "feeder", "publishClientSend", "dev/#", "allow");
        await CtrlAsync("createClient", "feeder-1", "-p", "feeder-pw");
        await CtrlAsync("addClientRole", "feeder-1", "feeder");

        await using var device = await RecordingMqttClient.ConnectAsync(Broker, "device-1", "device-pw", "device-1");
        Assert.Equal(MqttClientConnectResultCode.Success, device.ConnectResultCode);
        await using var feeder = await RecordingMqttClient.ConnectAsync(Broker, "feeder-1", "feeder-pw", "feeder-1");

        var subscribed = await device.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("dev/in/#").WithTopicFilter("dev/other/#").Build());
        Assert.Equal([MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized], subscribed.Items.Select(i => i.ResultCode));

        // Allowed: accepted, and as nobody subscribed to it, MQTT 5 hears 0x10.
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await Publish(device, "dev/out/x")).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(device, "dev/in/x")).ReasonCode);

        await Publish(feeder, "dev/in/secret");
        await Publish(feeder, "dev/in/open");
        Assert.Equal("dev/in/open dev/in/open", await device.NextAsync("dev/in/open after the denied dev/in/secret"));
    }

    [Fact]
    public async Task A_disabled_client_is_disconnected_and_then_refused()
    {
        await CtrlAsync("createClient", "disable-me", "-p", "pw");
        await using var client = await RecordingMqttClient.ConnectAsync(Broker, "disable-me", "pw", "disable-me");
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResultCode);

        await CtrlAsync("disableClient", "disable-me");

        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await client.WaitDisconnectedAsync("after disableClient")).Reason);
        await using var again = await RecordingMqttClient.ConnectAsync(Broker, "disable-me", "pw", "disable-me");
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, again.ConnectResultCode);

        await CtrlAsync("enableClient", "disable-me");
        await using var enabled = await RecordingMqttClient.ConnectAsync(Broker, "disable-me", "pw", "disable-me");
        Assert.Equal(MqttClientConnectResultCode.Success, enabled.ConnectResultCode);
    }

    [Fact]
    public async Task A_client_whose_role_no_longer_allows_its_subscription_is_disconnected_and_cannot_subscribe_again()
    {
        await CtrlAsync("createRole", "watcher");
        await CtrlAsync("addRoleACL", "watcher", "subscribePattern", "watch/#", "allow");
        await CtrlAsync("addRoleACL", "watcher", "publishClientSend", "watch/#", "allow");
        await CtrlAsync("createClient", "watcher-1", "-p", "pw");
        await CtrlAsync("addClientRole", "watcher-1", "watcher");
        await using var watcher = await RecordingMqttClient.ConnectAsync(Broker, "watcher-1", "pw", "watcher-1");
        await watcher.Mqtt.SubscribeAsync("watch/#");
        await Publish(watcher, "watch/a");
        Assert.Equal("watch/a watch/a", await watcher.NextAsync("its own message while allowed"));

        await CtrlAsync("removeRoleACL", "watcher", "subscribePattern", "watch/#");

        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await watcher.WaitDisconnectedAsync("after its role lost the subscription")).Reason);
        await using var again = await RecordingMqttClient.ConnectAsync(Broker, "watcher-1", "pw", "watcher-1");
        var refused = await again.Mqtt.SubscribeAsync("watch/#");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(refused.Items).ResultCode);
    }

    [Fact]
    public async Task A_client_without_the_control_grant_cannot_send_commands()
    {
        await CtrlAsync("createClient", "not-admin", "-p", "pw");

        await using var intruder = await RecordingMqttClient.ConnectAsync(Broker, "not-admin", "pw", "not-admin");
        var result = await intruder.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic("$CONTROL/dynamic-security/v1")
            .WithPayload("""{"commands":[{"command":"createClient","username":"evil","password":"x"}]}""")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, result.ReasonCode);
        Assert.Equal(["getClient: Error: Client not found"], await CtrlAsync("getClient", "evil"));
    }

    private static async Task<MqttClientPublishResult> Publish(RecordingMqttClient client, string topic)
    {
        using var timeout = new CancellationTokenSource(RecordingMqttClient.Timeout);
        return await client.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(topic)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), timeout.Token);
    }

    public sealed class Fixture : BrokerFixture
    {
        public Fixture()
        {
            Directory = new TempDirectory("dynsec");
            DynamicSecurityFile = Path.Combine(Directory.Path, "dynamic-security.json");
            MosquittoCtrl.Init(DynamicSecurityFile, Admin, AdminPassword);
            ConfigFile = Path.Combine(Directory.Path, "mosquitto.conf");
            File.WriteAllLines(ConfigFile,
            [
                "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                $"plugin_opt_config_file {DynamicSecurityFile}",
                "allow_anonymous false",
            ]);
        }

        public TempDirectory Directory { get; }

        public string DynamicSecurityFile { get; }

        public string ConfigFile { get; }

        protected override string[] ExtraArguments => ["-c", ConfigFile];
    }
}
