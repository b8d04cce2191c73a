using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Core.Tests.Security.DynamicSecurity;

/// <summary>Who may connect, publish, receive, subscribe and unsubscribe under a fixed set of rules.</summary>
public sealed class DynsecEvaluatorTests
{
    private static readonly DynsecEvaluator Rules = new(DynsecDocument.Parse("""
        {
          "defaultACLAccess": {"publishClientSend": false, "publishClientReceive": true, "subscribe": false, "unsubscribe": true},
          "roles": [
            {"rolename": "sensors", "acls": [
              {"acltype": "publishClientSend", "topic": "sensors/#", "priority": 0, "allow": true},
              {"acltype": "publishClientSend", "topic": "sensors/secret", "priority": 5, "allow": false},
              {"acltype": "subscribePattern", "topic": "sensors/#", "allow": true},
              {"acltype": "subscribeLiteral", "topic": "sensors/+/raw", "allow": false},
              {"acltype": "publishClientReceive", "topic": "sensors/hidden", "allow": false},
              {"acltype": "unsubscribeLiteral", "topic": "sensors/keep", "allow": false}]},
            {"rolename": "own", "acls": [
              {"acltype": "publishClientSend", "topic": "devices/%c/#", "allow": true},
              {"acltype": "subscribePattern", "topic": "users/%u/#", "allow": true}]},
            {"rolename": "override", "acls": [
              {"acltype": "publishClientSend", "topic": "sensors/secret", "allow": true}]},
            {"rolename": "watch", "acls": [
              {"acltype": "subscribePattern", "topic": "public/#", "allow": true}]}
          ],
          "groups": [
            {"groupname": "staff", "roles": [{"rolename": "override"}], "clients": [{"username": "boss", "priority": 10}]},
            {"groupname": "guests", "roles": [{"rolename": "watch"}]}
          ],
          "clients": [
            {"username": "sensor", "roles": [{"rolename": "sensors"}, {"rolename": "own"}]},
            {"username": "boss", "roles": [{"rolename": "sensors", "priority": 1}]},
            {"username": "boss2", "roles": [{"rolename": "sensors", "priority": 1}, {"rolename": "override", "priority": 2}]}
          ],
          "anonymousGroup": "guests"
        }
        """));

    [Theory]
    [InlineData("sensor", "c1", "sensors/kitchen", true)]
    [InlineData("sensor", "c1", "sensors/secret", false)]      // the higher-priority deny in the same role wins
    [InlineData("sensor", "c1", "other", false)]               // no ACL: default publishClientSend false
    [InlineData("sensor", "c1", "devices/c1/temp", true)]      // %c
    [InlineData("sensor", "c1", "devices/c2/temp", false)]
    [InlineData("sensor", "a+b", "devices/a+b/temp", false)]    // a wildcard in the client id grants nothing
    [InlineData("boss", "b", "sensors/secret", false)]         // client roles are checked before group roles
    [InlineData("boss2", "b", "sensors/secret", true)]         // the higher-priority role decides
    [InlineData(null, "anon", "public/x", false)]
    public void Publish(string? username, string clientId, string topic, bool allowed) =>
        Assert.Equal(allowed, Rules.ForClient(username, clientId)!.CanPublish(topic));

    [Theory]
    [InlineData("sensor", "sensors/kitchen", true)]
    [InlineData("sensor", "sensors/hidden", false)]
    [InlineData("sensor", "anything", true)]                   // default publishClientReceive true
    public void Receive(string username, string topic, bool allowed) =>
        Assert.Equal(allowed, Rules.ForClient(username, "c")!.CanReceive(topic));

    [Theory]
    [InlineData("sensor", "sensors/#", true)]
    [InlineData("sensor", "sensors/+/temp", true)]
    [InlineData("sensor", "sensors/+/raw", false)]             // literal checked before the pattern of the role
    [InlineData("sensor", "#", false)]                         // not covered by sensors/#: default subscribe false
    [InlineData("sensor", "$share/g/sensors/a", true)]          // judged by the shared filter
    [InlineData("sensor", "users/sensor/inbox", true)]          // %u
    [InlineData("sensor", "users/other/inbox", false)]
    [InlineData(null, "public/news", true)]                     // anonymous: the anonymous group's roles
    [InlineData(null, "sensors/a", false)]
    public void Subscribe(string? username, string filter, bool allowed) =>
        Assert.Equal(allowed, Rules.ForClient(username, "c")!.CanSubscribe(filter));

    [Theory]
    [InlineData("sensors/keep", false)]
    [InlineData("sensors/other", true)]                        // default unsubscribe true
    public void Unsubscribe(string filter, bool allowed) =>
        Assert.Equal(allowed, Rules.ForClient("sensor", "c")!.CanUnsubscribe(filter));

    [Fact]
    public void A_username_the_rules_do_not_know_is_left_to_other_sources() =>
        Assert.Null(Rules.ForClient("stranger", "c"));

    [Fact]
    public void Logins()
    {
        var state = new DynsecState();
        DynsecCommandProcessor.Execute(state, """
            {"commands":[
              {"command":"createClient","username":"a","password":"pw"},
              {"command":"createClient","username":"bound","password":"pw","clientid":"only-me"},
              {"command":"createClient","username":"off","password":"pw"},
              {"command":"disableClient","username":"off"},
              {"command":"createClient","username":"nopw"}]}
            """u8, 0);
        var rules = new DynsecEvaluator(state);

        Assert.Equal(DynsecLogin.Accepted, rules.Authenticate("a", "pw"u8, "x"));
        Assert.Equal(DynsecLogin.Refused, rules.Authenticate("a", "wrong"u8, "x"));
        Assert.Equal(DynsecLogin.Accepted, rules.Authenticate("bound", "pw"u8, "only-me"));
        Assert.Equal(DynsecLogin.Refused, rules.Authenticate("bound", "pw"u8, "someone-else"));
        Assert.Equal(DynsecLogin.Refused, rules.Authenticate("off", "pw"u8, "x"));
        Assert.Equal(DynsecLogin.Refused, rules.Authenticate("nopw", ""u8, "x"));
        Assert.Equal(DynsecLogin.UnknownClient, rules.Authenticate("stranger", "pw"u8, "x"));
        Assert.False(rules.MayStay("off"));
        Assert.True(rules.MayStay("a"));
    }
}
