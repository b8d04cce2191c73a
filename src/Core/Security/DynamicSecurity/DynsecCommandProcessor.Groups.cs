using System.Text.Json.Nodes;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>The group commands, with the anonymous group.</summary>
public sealed partial class DynsecCommandProcessor
{
    private DynsecReply CreateGroup(JsonObject c)
    {
        if (DynsecDocument.Text(c, "groupname") is not { Length: > 0 } name)
        {
            return DynsecReply.Fail("Invalid/missing groupname");
        }

        if (_state.Groups.ContainsKey(name))
        {
            return DynsecReply.Fail("Group already exists");
        }

        var roles = ReadMemberships(c, "roles", "rolename", _state.Roles.ContainsKey, "Role not found", out var error);
        if (error is not null)
        {
            return DynsecReply.Fail(error);
        }

        var group = new DynsecGroup(name) { TextName = DynsecDocument.Text(c, "textname"), TextDescription = DynsecDocument.Text(c, "textdescription") };
        group.Roles.AddRange(roles ?? []);
        _state.Groups[name] = group;
        return DynsecReply.Done;
    }

    private DynsecReply DeleteGroup(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error))
        {
            return error;
        }

        if (_state.AnonymousGroup == group.Name)
        {
            return DynsecReply.Fail("Deleting the anonymous group is forbidden");
        }

        _kicks.MembersOf(_state, group.Name);
        foreach (var client in _state.Clients.Values)
        {
            client.Groups.RemoveAll(g => g.Name == group.Name);
        }

        _state.Groups.Remove(group.Name);
        return DynsecReply.Done;
    }

    private DynsecReply ModifyGroup(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error))
        {
            return error;
        }

        var roles = ReadMemberships(c, "roles", "rolename", _state.Roles.ContainsKey, "Role not found", out var problem);
        var clients = problem is null ? ReadMemberships(c, "clients", "username", _state.Clients.ContainsKey, "Client not found", out problem) : null;
        if (problem is not null)
        {
            return DynsecReply.Fail(problem);
        }

        group.TextName = c.ContainsKey("textname") ? DynsecDocument.Text(c, "textname") : group.TextName;
        group.TextDescription = c.ContainsKey("textdescription") ? DynsecDocument.Text(c, "textdescription") : group.TextDescription;
        _kicks.MembersOf(_state, group.Name);
        Replace(group.Roles, roles);
        if (clients is not null)
        {
            foreach (var client in _state.Clients.Values)
            {
                client.Groups.RemoveAll(g => g.Name == group.Name);
            }

            foreach (var member in clients)
            {
                _state.Clients[member.Name].Groups.Add(new DynsecMembership(group.Name, member.Priority));
            }

            _kicks.MembersOf(_state, group.Name);
        }

        return DynsecReply.Done;
    }

    private DynsecReply GetGroup(JsonObject c) =>
        FindGroup(c, out var group, out var error)
            ? DynsecReply.With(new JsonObject { ["group"] = GroupJson(group) })
            : error;

    private DynsecReply AddGroupClient(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error) || !FindClient(c, out var client, out error))
        {
            return error;
        }

        if (client.Groups.Exists(g => g.Name == group.Name))
        {
            return DynsecReply.Fail("Client is already in this group");
        }

        client.Groups.Add(new DynsecMembership(group.Name, DynsecDocument.Int(c, "priority") ?? DynsecMembership.DefaultPriority));
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply RemoveGroupClient(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error) || !FindClient(c, out var client, out error))
        {
            return error;
        }

        if (client.Groups.RemoveAll(g => g.Name == group.Name) == 0)
        {
            return DynsecReply.Fail("Client not in group");
        }

        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply AddGroupRole(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error) || !_roles.Find(c, out var role, out error))
        {
            return error;
        }

        group.Roles.RemoveAll(r => r.Name == role.Name);
        group.Roles.Add(new DynsecMembership(role.Name, DynsecDocument.Int(c, "priority") ?? DynsecMembership.DefaultPriority));
        _kicks.MembersOf(_state, group.Name);
        return DynsecReply.Done;
    }

    private DynsecReply RemoveGroupRole(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error) || !_roles.Find(c, out var role, out error))
        {
            return error;
        }

        group.Roles.RemoveAll(r => r.Name == role.Name);
        _kicks.MembersOf(_state, group.Name);
        return DynsecReply.Done;
    }

    private DynsecReply SetAnonymousGroup(JsonObject c)
    {
        if (!FindGroup(c, out var group, out var error))
        {
            return error;
        }

        _state.AnonymousGroup = group.Name;
        _kicks.Anonymous = true;
        return DynsecReply.Done;
    }

    private JsonObject GroupJson(DynsecGroup group)
    {
        var node = new JsonObject { ["groupname"] = group.Name };
        DynsecDocument.AddIfSet(node, "textname", group.TextName);
        DynsecDocument.AddIfSet(node, "textdescription", group.TextDescription);
        node["clients"] = new JsonArray([.. _state.MembersOf(group.Name).Select(m => (JsonNode)new JsonObject { ["username"] = m.Client.Username })]);
        node["roles"] = DynsecDocument.MembershipArray(group.Roles, "rolename");
        return node;
    }

    private bool FindGroup(JsonObject c, out DynsecGroup group, out DynsecReply error)
    {
        group = null!;
        error = default;
        if (DynsecDocument.Text(c, "groupname") is not { Length: > 0 } name)
        {
            error = DynsecReply.Fail("Invalid/missing groupname");
            return false;
        }

        if (!_state.Groups.TryGetValue(name, out var found))
        {
            error = DynsecReply.Fail("Group not found");
            return false;
        }

        group = found;
        return true;
    }
}
