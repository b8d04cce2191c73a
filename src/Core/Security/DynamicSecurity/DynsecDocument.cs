using System.Text.Json;
using System.Text.Json.Nodes;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// The plugin's configuration file (<c>dynamic-security.json</c>) as Mosquitto 2 writes and reads it: clients with
/// their hashed passwords and roles, groups with their roles and clients, roles with their ACLs, default access
/// and the anonymous group. Mosquitto 2.0 writes <c>textName</c>, later versions <c>textname</c>; both are read.
/// </summary>
public static class DynsecDocument
{
    /// <exception cref="FormatException">The text is not JSON or not a dynamic-security document.</exception>
    public static DynsecState Parse(string json)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("The dynamic-security configuration is not a JSON object.");
        }
        catch (JsonException exception)
        {
            throw new FormatException($"The dynamic-security configuration is not valid JSON: {exception.Message}", exception);
        }

        var state = new DynsecState();
        foreach (var node in Objects(root, "roles"))
        {
            if (Text(node, "rolename") is not { } name)
            {
                continue;
            }

            var role = new DynsecRole(name) { TextName = Text(node, "textname"), TextDescription = Text(node, "textdescription") };
            foreach (var acl in Objects(node, "acls"))
            {
                if (Text(acl, "acltype") is { } type && DynsecAclTypes.IsValid(type) && Text(acl, "topic") is { } topic)
                {
                    role.Acls.Add(new DynsecAcl(type, topic, Int(acl, "priority") ?? 0, Bool(acl, "allow") ?? false));
                }
            }

            state.Roles[name] = role;
        }

        foreach (var node in Objects(root, "clients"))
        {
            if (Text(node, "username") is not { } name)
            {
                continue;
            }

            var client = new DynsecClient(name)
            {
                ClientId = Text(node, "clientid"),
                TextName = Text(node, "textname"),
                TextDescription = Text(node, "textdescription"),
                Disabled = Bool(node, "disabled") ?? false,
                Password = PasswordOf(node),
            };
            client.Roles.AddRange(Memberships(node, "roles", "rolename", state.Roles.ContainsKey));
            state.Clients[name] = client;
        }

        foreach (var node in Objects(root, "groups"))
        {
            if (Text(node, "groupname") is not { } name)
            {
                continue;
            }

            var group = new DynsecGroup(name) { TextName = Text(node, "textname"), TextDescription = Text(node, "textdescription") };
            group.Roles.AddRange(Memberships(node, "roles", "rolename", state.Roles.ContainsKey));
            state.Groups[name] = group;
            foreach (var member in Memberships(node, "clients", "username", state.Clients.ContainsKey))
            {
                state.Clients[member.Name].Groups.Add(new DynsecMembership(name, member.Priority));
            }
        }

        if (Text(root, "anonymousGroup") is { } anonymous && state.Groups.ContainsKey(anonymous))
        {
            state.AnonymousGroup = anonymous;
        }

        if (root["defaultACLAccess"] is JsonObject access)
        {
            var defaults = DynsecDefaultAccess.Mosquitto;
            state.DefaultAccess = new DynsecDefaultAccess(
                Bool(access, DynsecAclTypes.PublishClientSend) ?? defaults.PublishClientSend,
                Bool(access, DynsecAclTypes.PublishClientReceive) ?? defaults.PublishClientReceive,
                Bool(access, DynsecAclTypes.Subscribe) ?? defaults.Subscribe,
                Bool(access, DynsecAclTypes.Unsubscribe) ?? defaults.Unsubscribe);
        }

        return state;
    }

    public static string Write(DynsecState state)
    {
        var root = new JsonObject
        {
            ["clients"] = new JsonArray([.. state.Clients.Values.Select(WriteClient)]),
            ["groups"] = new JsonArray([.. state.Groups.Values.Select(g => WriteGroup(state, g))]),
            ["roles"] = new JsonArray([.. state.Roles.Values.Select(WriteRole)]),
            ["defaultACLAccess"] = new JsonObject
            {
                [DynsecAclTypes.PublishClientSend] = state.DefaultAccess.PublishClientSend,
                [DynsecAclTypes.PublishClientReceive] = state.DefaultAccess.PublishClientReceive,
                [DynsecAclTypes.Subscribe] = state.DefaultAccess.Subscribe,
                [DynsecAclTypes.Unsubscribe] = state.DefaultAccess.Unsubscribe,
            },
        };
        if (state.AnonymousGroup is { } anonymous)
        {
            root["anonymousGroup"] = anonymous;
        }

        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonObject WriteClient(DynsecClient client)
    {
        var node = new JsonObject { ["username"] = client.Username };
        AddIfSet(node, "clientid", client.ClientId);
        AddIfSet(node, "textName", client.TextName);
        AddIfSet(node, "textDescription", client.TextDescription);
        if (client.Password is { } password)
        {
            node["password"] = Convert.ToBase64String(password.Hash);
            node["salt"] = Convert.ToBase64String(password.Salt);
            node["iterations"] = password.Iterations;
        }

        if (client.Disabled)
        {
            node["disabled"] = true;
        }

        node["roles"] = MembershipArray(client.Roles, "rolename");
        return node;
    }

    private static JsonObject WriteGroup(DynsecState state, DynsecGroup group)
    {
        var node = new JsonObject { ["groupname"] = group.Name };
        AddIfSet(node, "textName", group.TextName);
        AddIfSet(node, "textDescription", group.TextDescription);
        node["roles"] = MembershipArray(group.Roles, "rolename");
        node["clients"] = MembershipArray([.. state.MembersOf(group.Name).Select(m => new DynsecMembership(m.Client.Username, m.Priority))], "username");
        return node;
    }

    private static JsonObject WriteRole(DynsecRole role)
    {
        var node = new JsonObject { ["rolename"] = role.Name };
        AddIfSet(node, "textName", role.TextName);
        AddIfSet(node, "textDescription", role.TextDescription);
        node["acls"] = new JsonArray([.. role.Acls.Select(a => (JsonNode)new JsonObject
        {
            ["acltype"] = a.AclType,
            ["topic"] = a.Topic,
            ["priority"] = a.Priority,
            ["allow"] = a.Allow,
        })]);
        return node;
    }

    /// <summary>Role or group references as the plugin writes them: the priority only when it is not the default.</summary>
    internal static JsonArray MembershipArray(IEnumerable<DynsecMembership> memberships, string nameKey) =>
        new([.. memberships.Select(m =>
        {
            var node = new JsonObject { [nameKey] = m.Name };
            if (m.Priority != DynsecMembership.DefaultPriority)
            {
                node["priority"] = m.Priority;
            }

            return (JsonNode)node;
        })]);

    private static DynsecPassword? PasswordOf(JsonObject node)
    {
        if (Text(node, "password") is not { } hash || Text(node, "salt") is not { } salt || Int(node, "iterations") is not { } iterations)
        {
            return null;
        }

        try
        {
            return new DynsecPassword(Convert.FromBase64String(hash), Convert.FromBase64String(salt), iterations);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static IEnumerable<DynsecMembership> Memberships(JsonObject node, string key, string nameKey, Func<string, bool> exists) =>
        Objects(node, key)
            .Select(m => (Name: Text(m, nameKey), Priority: Int(m, "priority") ?? DynsecMembership.DefaultPriority))
            .Where(m => m.Name is not null && exists(m.Name))
            .Select(m => new DynsecMembership(m.Name!, m.Priority));

    internal static void AddIfSet(JsonObject node, string key, string? value)
    {
        if (value is not null)
        {
            node[key] = value;
        }
    }

    internal static IEnumerable<JsonObject> Objects(JsonObject node, string key) =>
        Property(node, key) is JsonArray array ? array.OfType<JsonObject>() : [];

    /// <summary>A string property; keys are matched without regard to case (textName and textname are one).</summary>
    internal static string? Text(JsonObject node, string key) =>
        Property(node, key) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    internal static int? Int(JsonObject node, string key) =>
        Property(node, key) is JsonValue value && value.TryGetValue<double>(out var number) && number == Math.Floor(number)
            && number is >= int.MinValue and <= int.MaxValue ? (int)number : null;

    internal static bool? Bool(JsonObject node, string key) =>
        Property(node, key) is JsonValue value && value.TryGetValue<bool>(out var flag) ? flag : null;

    private static JsonNode? Property(JsonObject node, string key)
    {
        if (node.TryGetPropertyValue(key, out var exact))
        {
            return exact;
        }

        foreach (var (name, value) in node)
        {
            if (string.Equals(name, key, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }
}
