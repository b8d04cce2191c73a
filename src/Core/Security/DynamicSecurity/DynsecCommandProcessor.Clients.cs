using System.Text.Json.Nodes;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>The client commands.</summary>
public sealed partial class DynsecCommandProcessor
{
    private DynsecReply CreateClient(JsonObject c)
    {
        if (DynsecDocument.Text(c, "username") is not { Length: > 0 } username)
        {
            return DynsecReply.Fail("Invalid/missing username");
        }

        if (_state.Clients.ContainsKey(username))
        {
            return DynsecReply.Fail("Client already exists");
        }

        var roles = ReadMemberships(c, "roles", "rolename", _state.Roles.ContainsKey, "Role not found", out var error);
        var groups = error is null ? ReadMemberships(c, "groups", "groupname", _state.Groups.ContainsKey, "Group not found", out error) : null;
        if (error is not null)
        {
            return DynsecReply.Fail(error);
        }

        var client = new DynsecClient(username)
        {
            ClientId = NonEmpty(DynsecDocument.Text(c, "clientid")),
            TextName = DynsecDocument.Text(c, "textname"),
            TextDescription = DynsecDocument.Text(c, "textdescription"),
            Password = DynsecDocument.Text(c, "password") is { } password ? DynsecPassword.Create(password) : null,
        };
        client.Roles.AddRange(roles ?? []);
        client.Groups.AddRange(groups ?? []);
        _state.Clients[username] = client;
        return DynsecReply.Done;
    }

    private DynsecReply DeleteClient(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error))
        {
            return error;
        }

        _state.Clients.Remove(client.Username);
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply ModifyClient(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error))
        {
            return error;
        }

        var roles = ReadMemberships(c, "roles", "rolename", _state.Roles.ContainsKey, "Role not found", out var problem);
        var groups = problem is null ? ReadMemberships(c, "groups", "groupname", _state.Groups.ContainsKey, "Group not found", out problem) : null;
        if (problem is not null)
        {
            return DynsecReply.Fail(problem);
        }

        if (c.ContainsKey("clientid"))
        {
            client.ClientId = NonEmpty(DynsecDocument.Text(c, "clientid"));
        }

        if (DynsecDocument.Text(c, "password") is { } password)
        {
            client.Password = DynsecPassword.Create(password);
        }

        client.TextName = c.ContainsKey("textname") ? DynsecDocument.Text(c, "textname") : client.TextName;
        client.TextDescription = c.ContainsKey("textdescription") ? DynsecDocument.Text(c, "textdescription") : client.TextDescription;
        Replace(client.Roles, roles);
        Replace(client.Groups, groups);
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply SetDisabled(JsonObject c, bool disabled)
    {
        if (!FindClient(c, out var client, out var error))
        {
            return error;
        }

        client.Disabled = disabled;
        if (disabled)
        {
            _kicks.Client(client.Username);
        }

        return DynsecReply.Done;
    }

    private DynsecReply SetClientPassword(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error))
        {
            return error;
        }

        if (DynsecDocument.Text(c, "password") is not { Length: > 0 } password)
        {
            return DynsecReply.Fail("Invalid/missing password");
        }

        client.Password = DynsecPassword.Create(password);
        return DynsecReply.Done;
    }

    private DynsecReply SetClientId(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error))
        {
            return error;
        }

        client.ClientId = NonEmpty(DynsecDocument.Text(c, "clientid"));
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply GetClient(JsonObject c) =>
        FindClient(c, out var client, out var error)
            ? DynsecReply.With(new JsonObject { ["client"] = ClientJson(client) })
            : error;

    private DynsecReply AddClientRole(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error) || !_roles.Find(c, out var role, out error))
        {
            return error;
        }

        client.Roles.RemoveAll(r => r.Name == role.Name);
        client.Roles.Add(new DynsecMembership(role.Name, DynsecDocument.Int(c, "priority") ?? DynsecMembership.DefaultPriority));
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private DynsecReply RemoveClientRole(JsonObject c)
    {
        if (!FindClient(c, out var client, out var error) || !_roles.Find(c, out var role, out error))
        {
            return error;
        }

        client.Roles.RemoveAll(r => r.Name == role.Name);
        _kicks.Client(client.Username);
        return DynsecReply.Done;
    }

    private JsonObject ClientJson(DynsecClient client)
    {
        var node = new JsonObject { ["username"] = client.Username };
        DynsecDocument.AddIfSet(node, "clientid", client.ClientId);
        DynsecDocument.AddIfSet(node, "textname", client.TextName);
        DynsecDocument.AddIfSet(node, "textdescription", client.TextDescription);
        if (client.Disabled)
        {
            node["disabled"] = true;
        }

        node["roles"] = DynsecDocument.MembershipArray(client.Roles, "rolename");
        node["groups"] = DynsecDocument.MembershipArray(client.Groups, "groupname");
        return node;
    }

    private bool FindClient(JsonObject c, out DynsecClient client, out DynsecReply error)
    {
        client = null!;
        error = default;
        if (DynsecDocument.Text(c, "username") is not { Length: > 0 } username)
        {
            error = DynsecReply.Fail("Invalid/missing username");
            return false;
        }

        if (!_state.Clients.TryGetValue(username, out var found))
        {
            error = DynsecReply.Fail("Client not found");
            return false;
        }

        client = found;
        return true;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static void Replace(List<DynsecMembership> target, List<DynsecMembership>? replacement)
    {
        if (replacement is not null)
        {
            target.Clear();
            target.AddRange(replacement);
        }
    }
}
