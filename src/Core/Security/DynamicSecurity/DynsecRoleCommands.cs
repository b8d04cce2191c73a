using System.Text.Json.Nodes;
using MqttCluster.Core.Topics;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>The role and ACL commands, and default ACL access, for <see cref="DynsecCommandProcessor"/>.</summary>
internal sealed class DynsecRoleCommands(DynsecState state, DynsecKicks kicks)
{
    private readonly DynsecState _state = state;

    public DynsecReply Create(JsonObject c)
    {
        if (DynsecDocument.Text(c, "rolename") is not { Length: > 0 } name)
        {
            return DynsecReply.Fail("Invalid/missing rolename");
        }

        if (_state.Roles.ContainsKey(name))
        {
            return DynsecReply.Fail("Role already exists");
        }

        var acls = ReadAcls(c, out var error);
        if (error is not null)
        {
            return DynsecReply.Fail(error);
        }

        var role = new DynsecRole(name) { TextName = DynsecDocument.Text(c, "textname"), TextDescription = DynsecDocument.Text(c, "textdescription") };
        role.Acls.AddRange(acls ?? []);
        _state.Roles[name] = role;
        return DynsecReply.Done;
    }

    public DynsecReply Delete(JsonObject c)
    {
        if (!Find(c, out var role, out var error))
        {
            return error;
        }

        kicks.HoldersOf(_state, role.Name);
        foreach (var client in _state.Clients.Values)
        {
            client.Roles.RemoveAll(r => r.Name == role.Name);
        }

        foreach (var group in _state.Groups.Values)
        {
            group.Roles.RemoveAll(r => r.Name == role.Name);
        }

        _state.Roles.Remove(role.Name);
        return DynsecReply.Done;
    }

    public DynsecReply Modify(JsonObject c)
    {
        if (!Find(c, out var role, out var error))
        {
            return error;
        }

        var acls = ReadAcls(c, out var problem);
        if (problem is not null)
        {
            return DynsecReply.Fail(problem);
        }

        role.TextName = c.ContainsKey("textname") ? DynsecDocument.Text(c, "textname") : role.TextName;
        role.TextDescription = c.ContainsKey("textdescription") ? DynsecDocument.Text(c, "textdescription") : role.TextDescription;
        if (acls is not null)
        {
            role.Acls.Clear();
            role.Acls.AddRange(acls);
        }

        kicks.HoldersOf(_state, role.Name);
        return DynsecReply.Done;
    }

    public DynsecReply Get(JsonObject c) =>
        Find(c, out var role, out var error)
            ? DynsecReply.With(new JsonObject { ["role"] = Json(role) })
            : error;

    public DynsecReply AddAcl(JsonObject c)
    {
        if (!Find(c, out var role, out var error))
        {
            return error;
        }

        if (ReadAcl(c, out var problem) is not { } acl)
        {
            return DynsecReply.Fail(problem!);
        }

        if (role.Acls.Exists(a => a.AclType == acl.AclType && a.Topic == acl.Topic))
        {
            return DynsecReply.Fail("ACL with this topic already exists");
        }

        role.Acls.Add(acl);
        kicks.HoldersOf(_state, role.Name);
        return DynsecReply.Done;
    }

    public DynsecReply RemoveAcl(JsonObject c)
    {
        if (!Find(c, out var role, out var error))
        {
            return error;
        }

        if (DynsecDocument.Text(c, "acltype") is not { } type || !DynsecAclTypes.IsValid(type))
        {
            return DynsecReply.Fail("Invalid/missing acltype");
        }

        if (DynsecDocument.Text(c, "topic") is not { } topic)
        {
            return DynsecReply.Fail("Invalid/missing topic");
        }

        if (role.Acls.RemoveAll(a => a.AclType == type && a.Topic == topic) == 0)
        {
            return DynsecReply.Fail("ACL not found");
        }

        kicks.HoldersOf(_state, role.Name);
        return DynsecReply.Done;
    }

    public DynsecReply SetDefaultAccess(JsonObject c)
    {
        if (c["acls"] is not JsonArray acls)
        {
            return DynsecReply.Fail("Missing/invalid acls array");
        }

        var access = _state.DefaultAccess;
        foreach (var item in acls.OfType<JsonObject>())
        {
            // mosquitto_ctrl 2.0 sends "access": "allow" | "deny"; the plugin documents "allow": true | false.
            var allow = DynsecDocument.Bool(item, "allow") ?? DynsecDocument.Text(item, "access") switch
            {
                "allow" => true,
                "deny" => false,
                _ => (bool?)null,
            };
            if (DynsecDocument.Text(item, "acltype") is { } type && allow is not null)
            {
                access = access.With(type, allow.Value) ?? access;
            }
        }

        _state.DefaultAccess = access;
        return DynsecReply.Done;
    }

    public DynsecReply GetDefaultAccess()
    {
        var access = _state.DefaultAccess;
        return DynsecReply.With(new JsonObject
        {
            ["acls"] = new JsonArray([.. new[] { DynsecAclTypes.PublishClientSend, DynsecAclTypes.PublishClientReceive, DynsecAclTypes.Subscribe, DynsecAclTypes.Unsubscribe }
                .Select(type => (JsonNode)new JsonObject { ["acltype"] = type, ["allow"] = access.Get(type) })]),
        });
    }

    public static JsonObject Json(DynsecRole role)
    {
        var node = new JsonObject { ["rolename"] = role.Name };
        DynsecDocument.AddIfSet(node, "textname", role.TextName);
        DynsecDocument.AddIfSet(node, "textdescription", role.TextDescription);
        node["acls"] = new JsonArray([.. role.Acls.OrderByDescending(a => a.Priority).Select(a => (JsonNode)new JsonObject
        {
            ["acltype"] = a.AclType,
            ["topic"] = a.Topic,
            ["priority"] = a.Priority,
            ["allow"] = a.Allow,
        })]);
        return node;
    }

    private static List<DynsecAcl>? ReadAcls(JsonObject c, out string? error)
    {
        error = null;
        if (c["acls"] is not JsonArray array)
        {
            return null;
        }

        var acls = new List<DynsecAcl>();
        foreach (var item in array.OfType<JsonObject>())
        {
            if (ReadAcl(item, out error) is not { } acl)
            {
                return null;
            }

            acls.RemoveAll(a => a.AclType == acl.AclType && a.Topic == acl.Topic);
            acls.Add(acl);
        }

        return acls;
    }

    private static DynsecAcl? ReadAcl(JsonObject c, out string? error)
    {
        error = null;
        if (DynsecDocument.Text(c, "acltype") is not { } type || !DynsecAclTypes.IsValid(type))
        {
            error = "Invalid/missing acltype";
            return null;
        }

        if (DynsecDocument.Text(c, "topic") is not { } topic)
        {
            error = "Invalid/missing topic";
            return null;
        }

        if (!IsValidAclTopic(topic))
        {
            error = "Invalid ACL topic";
            return null;
        }

        return new DynsecAcl(type, topic, DynsecDocument.Int(c, "priority") ?? 0, DynsecDocument.Bool(c, "allow") ?? false);
    }

    public bool Find(JsonObject c, out DynsecRole role, out DynsecReply error)
    {
        role = null!;
        error = default;
        if (DynsecDocument.Text(c, "rolename") is not { Length: > 0 } name)
        {
            error = DynsecReply.Fail("Invalid/missing rolename");
            return false;
        }

        if (!_state.Roles.TryGetValue(name, out var found))
        {
            error = DynsecReply.Fail("Role not found");
            return false;
        }

        role = found;
        return true;
    }

    private static bool IsValidAclTopic(string topic) => topic.Length > 0 && TopicFilter.IsValid(topic);
}
