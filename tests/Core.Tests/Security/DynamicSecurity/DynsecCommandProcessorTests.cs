using System.Text;
using System.Text.Json.Nodes;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Core.Tests.Security.DynamicSecurity;

/// <summary>Command batches and their responses, as Mosquitto 2.0.11's plugin answers them (its answers were
/// captured with mosquitto_sub on the response topic).</summary>
public sealed class DynsecCommandProcessorTests
{
    private readonly DynsecState _state = new();

    private JsonArray Run(string commands, long changeIndex = 0)
    {
        var result = DynsecCommandProcessor.Execute(_state, Encoding.UTF8.GetBytes($$"""{"commands":[{{commands}}]}"""), changeIndex);
        return JsonNode.Parse(result.Response)!["responses"]!.AsArray();
    }

    private DynsecBatchResult Result(string commands) =>
        DynsecCommandProcessor.Execute(_state, Encoding.UTF8.GetBytes($$"""{"commands":[{{commands}}]}"""), 0);

    [Fact]
    public void Each_command_gets_its_response_in_order_and_a_failure_does_not_stop_the_rest()
    {
        var responses = Run("""
            {"command":"createClient","username":"alice","password":"apw"},
            {"command":"createClient","username":"alice","password":"apw"},
            {"command":"nonsense"},
            {"command":"getClient"},
            {"command":"createRole","rolename":"r1","correlationData":"abc"}
            """);

        Assert.Equal("""{"command":"createClient"}""", responses[0]!.ToJsonString());
        Assert.Equal("""{"command":"createClient","error":"Client already exists"}""", responses[1]!.ToJsonString());
        Assert.Equal("""{"command":"nonsense","error":"Unknown command"}""", responses[2]!.ToJsonString());
        Assert.Equal("""{"command":"getClient","error":"Invalid/missing username"}""", responses[3]!.ToJsonString());
        Assert.Equal("""{"command":"createRole","correlationData":"abc"}""", responses[4]!.ToJsonString());
        Assert.True(_state.Roles.ContainsKey("r1"));
    }

    [Fact]
    public void Not_json_is_answered_as_the_plugin_does()
    {
        var result = DynsecCommandProcessor.Execute(_state, "notjson"u8, 0);

        Assert.Equal("""{"responses":[{"command":"Unknown command","error":"Payload not valid JSON"}]}""", result.Response);
        Assert.False(result.Changed);
    }

    [Fact]
    public void Get_and_list_answer_in_the_plugins_shapes()
    {
        Run("""
            {"command":"createRole","rolename":"r1"},
            {"command":"createClient","username":"alice","password":"apw","clientid":"cid"},
            {"command":"createGroup","groupname":"g1"},
            {"command":"addGroupClient","groupname":"g1","username":"alice","priority":2},
            {"command":"addGroupRole","groupname":"g1","rolename":"r1","priority":4},
            {"command":"addClientRole","username":"alice","rolename":"r1","priority":7},
            {"command":"addRoleACL","rolename":"r1","acltype":"publishClientSend","topic":"a/#","priority":5,"allow":true},
            {"command":"addRoleACL","rolename":"r1","acltype":"subscribeLiteral","topic":"a/#","allow":false},
            {"command":"disableClient","username":"alice"}
            """);

        var responses = Run("""
            {"command":"getClient","username":"alice"},
            {"command":"getGroup","groupname":"g1"},
            {"command":"getRole","rolename":"r1"},
            {"command":"listClients"},
            {"command":"listRoles","count":1,"offset":1},
            {"command":"getDefaultACLAccess"},
            {"command":"getAnonymousGroup"},
            {"command":"getDetails"}
            """, changeIndex: 12);

        Assert.Equal("""{"command":"getClient","data":{"client":{"username":"alice","clientid":"cid","disabled":true,"roles":[{"rolename":"r1","priority":7}],"groups":[{"groupname":"g1","priority":2}]}}}""", responses[0]!.ToJsonString());
        Assert.Equal("""{"command":"getGroup","data":{"group":{"groupname":"g1","clients":[{"username":"alice"}],"roles":[{"rolename":"r1","priority":4}]}}}""", responses[1]!.ToJsonString());
        Assert.Equal("""{"command":"getRole","data":{"role":{"rolename":"r1","acls":[{"acltype":"publishClientSend","topic":"a/#","priority":5,"allow":true},{"acltype":"subscribeLiteral","topic":"a/#","priority":0,"allow":false}]}}}""", responses[2]!.ToJsonString());
        Assert.Equal("""{"command":"listClients","data":{"totalCount":1,"clients":["alice"]}}""", responses[3]!.ToJsonString());
        Assert.Equal("""{"command":"listRoles","data":{"totalCount":1,"roles":[]}}""", responses[4]!.ToJsonString());
        Assert.Equal("""{"command":"getDefaultACLAccess","data":{"acls":[{"acltype":"publishClientSend","allow":false},{"acltype":"publishClientReceive","allow":true},{"acltype":"subscribe","allow":false},{"acltype":"unsubscribe","allow":true}]}}""", responses[5]!.ToJsonString());
        Assert.Equal("""{"command":"getAnonymousGroup","data":{"group":{"groupname":""}}}""", responses[6]!.ToJsonString());
        Assert.Equal("""{"command":"getDetails","data":{"clientCount":1,"groupCount":1,"roleCount":1,"changeIndex":12}}""", responses[7]!.ToJsonString());
    }

    [Theory]
    [InlineData("""{"command":"deleteRole","rolename":"nope"}""", "Role not found")]
    [InlineData("""{"command":"addClientRole","username":"alice","rolename":"nope"}""", "Role not found")]
    [InlineData("""{"command":"addClientRole","username":"nobody","rolename":"r1"}""", "Client not found")]
    [InlineData("""{"command":"addRoleACL","rolename":"r1","acltype":"badtype","topic":"x","allow":true}""", "Invalid/missing acltype")]
    [InlineData("""{"command":"addRoleACL","rolename":"r1","acltype":"publishClientSend","topic":"a/#/b","allow":true}""", "Invalid ACL topic")]
    [InlineData("""{"command":"addRoleACL","rolename":"r1","acltype":"publishClientSend","topic":"x","allow":true}""", "ACL with this topic already exists")]
    [InlineData("""{"command":"removeRoleACL","rolename":"r1","acltype":"publishClientSend","topic":"zz"}""", "ACL not found")]
    [InlineData("""{"command":"createGroup","groupname":"g1"}""", "Group already exists")]
    [InlineData("""{"command":"addGroupClient","groupname":"g1","username":"alice"}""", "Client is already in this group")]
    [InlineData("""{"command":"setAnonymousGroup","groupname":"nope"}""", "Group not found")]
    [InlineData("""{"command":"deleteGroup","groupname":"anon"}""", "Deleting the anonymous group is forbidden")]
    [InlineData("""{"command":"setClientPassword","username":"alice"}""", "Invalid/missing password")]
    [InlineData("""{"command":"createClient","username":"x","roles":[{"rolename":"nope"}]}""", "Role not found")]
    public void Bad_commands_get_the_plugins_error_and_change_nothing(string command, string error)
    {
        Run("""
            {"command":"createRole","rolename":"r1"},
            {"command":"addRoleACL","rolename":"r1","acltype":"publishClientSend","topic":"x","allow":true},
            {"command":"createClient","username":"alice","password":"apw"},
            {"command":"createGroup","groupname":"g1"},
            {"command":"createGroup","groupname":"anon"},
            {"command":"addGroupClient","groupname":"g1","username":"alice"},
            {"command":"setAnonymousGroup","groupname":"anon"}
            """);
        var before = DynsecDocument.Write(_state);

        var result = Result(command);

        Assert.Equal(error, JsonNode.Parse(result.Response)!["responses"]![0]!["error"]!.GetValue<string>());
        Assert.False(result.Changed);
        Assert.Equal(before, DynsecDocument.Write(_state));
    }

    [Fact]
    public void Changes_name_the_connections_to_disconnect()
    {
        Run("""
            {"command":"createRole","rolename":"r1"},
            {"command":"createClient","username":"direct","password":"p","roles":[{"rolename":"r1"}]},
            {"command":"createClient","username":"member","password":"p"},
            {"command":"createClient","username":"bystander","password":"p"},
            {"command":"createGroup","groupname":"g1","roles":[{"rolename":"r1"}]},
            {"command":"addGroupClient","groupname":"g1","username":"member"}
            """);

        var acl = Result("""{"command":"addRoleACL","rolename":"r1","acltype":"subscribePattern","topic":"a/#","allow":true}""");
        Assert.Equal(["direct", "member"], acl.KickedUsernames.Order());
        Assert.False(acl.KickAnonymous);
        Assert.Equal(["addRoleACL rolename=r1 acltype=subscribePattern topic=a/#"], acl.Changes);

        Assert.Equal(["bystander"], Result("""{"command":"disableClient","username":"bystander"}""").KickedUsernames);
        Assert.Empty(Result("""{"command":"enableClient","username":"bystander"}""").KickedUsernames);
        Assert.True(Result("""{"command":"setAnonymousGroup","groupname":"g1"}""").KickAnonymous);
        Assert.Empty(Result("""{"command":"listClients"}""").Changes);
    }

    [Fact]
    public void Default_access_is_set_from_both_spellings()
    {
        // mosquitto_ctrl 2.0.11 sends "access": "allow"; the plugin's documentation writes "allow": true.
        Run("""
            {"command":"setDefaultACLAccess","acls":[{"acltype":"subscribe","access":"allow"}]},
            {"command":"setDefaultACLAccess","acls":[{"acltype":"publishClientReceive","allow":false}]}
            """);

        Assert.Equal(new DynsecDefaultAccess(PublishClientSend: false, PublishClientReceive: false, Subscribe: true, Unsubscribe: true), _state.DefaultAccess);
    }

    [Fact]
    public void Passwords_are_hashed_and_never_echoed()
    {
        var result = Result("""{"command":"createClient","username":"a","password":"s3cret"},{"command":"getClient","username":"a"},{"command":"listClients","verbose":true}""");

        Assert.DoesNotContain("s3cret", result.Response, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", string.Join(' ', result.Changes), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", DynsecDocument.Write(_state), StringComparison.Ordinal);
        Assert.True(_state.Clients["a"].Password!.Verify("s3cret"u8));
    }

    [Fact]
    public void Modify_commands_replace_only_what_they_name()
    {
        Run("""
            {"command":"createRole","rolename":"r1","acls":[{"acltype":"publishClientSend","topic":"a","allow":true}]},
            {"command":"createRole","rolename":"r2"},
            {"command":"createGroup","groupname":"g1","textname":"G"},
            {"command":"createClient","username":"a","password":"old","clientid":"cid","textname":"A","roles":[{"rolename":"r1"}]},
            {"command":"createClient","username":"b","password":"pw"}
            """);

        var result = Result("""
            {"command":"modifyClient","username":"a","password":"new","roles":[{"rolename":"r2","priority":4}],"groups":[{"groupname":"g1"}]},
            {"command":"modifyGroup","groupname":"g1","roles":[{"rolename":"r1"}],"clients":[{"username":"b","priority":2}]},
            {"command":"modifyRole","rolename":"r1","textdescription":"d","acls":[{"acltype":"subscribePattern","topic":"x/#","allow":true}]}
            """);

        var a = _state.Clients["a"];
        Assert.Equal(("cid", "A"), (a.ClientId, a.TextName));
        Assert.True(a.Password!.Verify("new"u8));
        Assert.Equal([new DynsecMembership("r2", 4)], a.Roles);
        Assert.Empty(a.Groups); // modifyGroup's client list replaced the group's members
        Assert.Equal([new DynsecMembership("g1", 2)], _state.Clients["b"].Groups);
        Assert.Equal("G", _state.Groups["g1"].TextName);
        Assert.Equal([new DynsecAcl("subscribePattern", "x/#", 0, true)], _state.Roles["r1"].Acls);
        Assert.Equal("d", _state.Roles["r1"].TextDescription);
        Assert.Equal(["a", "b"], result.KickedUsernames.Order());
    }

    [Fact]
    public void Deleting_a_role_removes_it_from_clients_and_groups()
    {
        Run("""
            {"command":"createRole","rolename":"r1"},
            {"command":"createClient","username":"a","roles":[{"rolename":"r1"}]},
            {"command":"createGroup","groupname":"g","roles":[{"rolename":"r1"}]},
            {"command":"deleteRole","rolename":"r1"}
            """);

        Assert.Empty(_state.Clients["a"].Roles);
        Assert.Empty(_state.Groups["g"].Roles);
    }
}
