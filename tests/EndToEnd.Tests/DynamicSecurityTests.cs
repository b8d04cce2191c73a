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
        Assert.Single(await CtrlAsync("listClients", "1", "1"));
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
        await using (var alice = await RecordingMqttClient.ConnectAsync(Broker, "ctrl-alice", "pw2", "other-cid"))
        {
            Assert.Equal(MqttClientConnectResultCode.Success, alice.ConnectResultCode);
        }

        await using (var oldPassword = await RecordingMqttClient.ConnectAsync(Broker, "ctrl-alice", "pw", "other-cid"))
        {
            Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, oldPassword.ConnectResultCode);
        }

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

    [Fact]
    public async Task Subscribe_literal_and_pattern_acls_and_client_id_and_username_patterns_decide_as_mosquitto_ctrl_sets_them()
    {
        await CtrlAsync("createRole", "acl-types");
        await CtrlAsync("addRoleACL", "acl-types", "subscribeLiteral", "lit/+/x", "allow");
        await CtrlAsync("addRoleACL", "acl-types", "subscribePattern", "pat/#", "allow");
        await CtrlAsync("addRoleACL", "acl-types", "subscribePattern", "user/%u/#", "allow");
        await CtrlAsync("addRoleACL", "acl-types", "publishClientSend", "dev/%c/#", "allow");
        await CtrlAsync("createClient", "acl-user", "-p", "pw", "-c", "acl-cid");
        await CtrlAsync("addClientRole", "acl-user", "acl-types");
        await using var client = await RecordingMqttClient.ConnectAsync(Broker, "acl-user", "pw", "acl-cid");

        var subscribed = await client.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("lit/+/x").WithTopicFilter("lit/a/x").WithTopicFilter("pat/keep").WithTopicFilter("pat/locked/1")
            .WithTopicFilter("user/acl-user/#").WithTopicFilter("user/other/#").Build());
        Assert.Equal(
            [MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized, MqttClientSubscribeResultCode.GrantedQoS0,
             MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.GrantedQoS0, MqttClientSubscribeResultCode.NotAuthorized],
            subscribed.Items.Select(i => i.ResultCode));

        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await Publish(client, "dev/acl-cid/t")).ReasonCode);
        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, (await Publish(client, "dev/other/t")).ReasonCode);
    }

    [Fact]
    public async Task Unsubscribe_literal_and_pattern_acls_refuse_an_unsubscribe()
    {
        await CtrlAsync("createRole", "unsub-types");
        await CtrlAsync("addRoleACL", "unsub-types", "subscribePattern", "unsub/#", "allow");
        await CtrlAsync("addRoleACL", "unsub-types", "unsubscribeLiteral", "unsub/keep", "deny");
        await CtrlAsync("addRoleACL", "unsub-types", "unsubscribePattern", "unsub/locked/#", "deny");
        await CtrlAsync("createClient", "unsub-user", "-p", "pw");
        await CtrlAsync("addClientRole", "unsub-user", "unsub-types");
        await using var client = await RecordingMqttClient.ConnectAsync(Broker, "unsub-user", "pw", "unsub-user");
        await client.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("unsub/free").WithTopicFilter("unsub/keep").WithTopicFilter("unsub/locked/1").Build());

        var unsubscribed = await client.Mqtt.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder()
            .WithTopicFilter("unsub/free").WithTopicFilter("unsub/keep").WithTopicFilter("unsub/locked/1").Build());

        Assert.Equal([MqttClientUnsubscribeResultCode.Success, MqttClientUnsubscribeResultCode.NotAuthorized, MqttClientUnsubscribeResultCode.NotAuthorized],
            unsubscribed.Items.Select(i => i.ResultCode));
    }

    [Fact]
    public async Task The_anonymous_group_modify_commands_and_get_details_answer_as_mosquitto_does()
    {
        await CtrlAsync("createGroup", "anon-group");
        Assert.Empty(await CtrlAsync("setAnonymousGroup", "anon-group"));
        Assert.Contains(await CtrlAsync("getAnonymousGroup"), l => l.Contains("anon-group", StringComparison.Ordinal));
        Assert.Equal(["setAnonymousGroup: Error: Group not found"], await CtrlAsync("setAnonymousGroup", "no-such-group"));

        // Debian's mosquitto_ctrl 2.0.11 has no modify* or getDetails command: sent with mosquitto_rr as JSON, as
        // Mosquitto's plugin documents them.
        await CtrlAsync("createClient", "modify-me", "-p", "old-pw");
        await CtrlAsync("createRole", "modify-role");
        var answer = await RequestAsync("""
            {"commands":[
              {"command":"modifyClient","username":"modify-me","password":"new-pw","clientid":"modified-cid","textname":"Kitchen","roles":[{"rolename":"modify-role","priority":2}]},
              {"command":"modifyRole","rolename":"modify-role","textdescription":"changed","acls":[{"acltype":"publishClientSend","topic":"mod/#","allow":true}]},
              {"command":"modifyGroup","groupname":"anon-group","textname":"Guests","roles":[{"rolename":"modify-role"}]},
              {"command":"modifyClient","username":"nobody"},
              {"command":"getDetails"}]}
            """);
        Assert.Equal("""{"responses":[{"command":"modifyClient"},{"command":"modifyRole"},{"command":"modifyGroup"},{"command":"modifyClient","error":"Client not found"},""", answer[..answer.IndexOf("{\"command\":\"getDetails\"", StringComparison.Ordinal)]);
        Assert.Contains("\"clientCount\":", answer, StringComparison.Ordinal);

        Assert.Equal(["Username: modify-me", "Clientid: modified-cid", "Roles:    modify-role (priority: 2)"], await CtrlAsync("getClient", "modify-me"));
        var role = await CtrlAsync("getRole", "modify-role");
        Assert.True(role.SequenceEqual(["Rolename: modify-role", "ACLs:     publishClientSend    : allow : mod/# (priority: 0)"]), string.Join('\n', role));
        await using var modified = await RecordingMqttClient.ConnectAsync(Broker, "modify-me", "new-pw", "modified-cid");
        Assert.Equal(MqttClientConnectResultCode.Success, modified.ConnectResultCode);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, (await Publish(modified, "mod/x")).ReasonCode);
        await CtrlAsync("setAnonymousGroup", "");
    }

    /// <summary>One command batch published with Debian's mosquitto_rr, which waits for the answer on the response topic.</summary>
    private async Task<string> RequestAsync(string commands)
    {
        await using var rr = ClientProcess.Start("/usr/bin/mosquitto_rr",
            ["-h", "127.0.0.1", "-p", $"{Broker.TcpPort}", "-u", Admin, "-P", AdminPassword, "-t", "$CONTROL/dynamic-security/v1",
             "-e", "$CONTROL/dynamic-security/v1/response", "-W", $"{MosquittoClients.SubscriberTimeoutSeconds}", "-m", commands]);
        await rr.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        return Assert.Single(rr.Output.Lines, l => l.Length > 0);
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

    public class Fixture : BrokerFixture
    {
        public Fixture()
            : this(allowAnonymous: false)
        {
        }

        protected Fixture(bool allowAnonymous)
        {
            Directory = new TempDirectory("dynsec");
            DynamicSecurityFile = Path.Combine(Directory.Path, "dynamic-security.json");
            MosquittoCtrl.Init(DynamicSecurityFile, Admin, AdminPassword);
            ConfigFile = Path.Combine(Directory.Path, "mosquitto.conf");
            File.WriteAllLines(ConfigFile,
            [
                "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
                $"plugin_opt_config_file {DynamicSecurityFile}",
                $"allow_anonymous {(allowAnonymous ? "true" : "false")}",
            ]);
        }

        public TempDirectory Directory { get; }

        public string DynamicSecurityFile { get; }

        public string ConfigFile { get; }

        protected override string[] ExtraArguments => ["-c", ConfigFile];
    }
}
