using System.Text.Json;
using System.Text.Json.Nodes;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// Runs a batch of dynamic-security commands (<c>{"commands":[{"command":"createClient",...}]}</c>) against the
/// state, as Mosquitto's plugin does: each command on its own (a failed one changes nothing and the others still
/// run), one response per command in order, with its <c>correlationData</c> echoed. Pure: no I/O, no clock.
/// </summary>
public sealed partial class DynsecCommandProcessor
{
    private readonly DynsecState _state;
    private readonly long _changeIndex;
    private readonly DynsecKicks _kicks = new();
    private readonly DynsecRoleCommands _roles;
    private readonly List<string> _changes = [];

    private DynsecCommandProcessor(DynsecState state, long changeIndex)
    {
        _state = state;
        _changeIndex = changeIndex;
        _roles = new DynsecRoleCommands(state, _kicks);
    }

    /// <param name="state">Changed in place by the commands that succeed.</param>
    /// <param name="payload">The PUBLISH payload.</param>
    /// <param name="changeIndex">The version of the state before the batch, reported by <c>getDetails</c>.</param>
    public static DynsecBatchResult Execute(DynsecState state, ReadOnlySpan<byte> payload, long changeIndex)
    {
        var processor = new DynsecCommandProcessor(state, changeIndex);
        var responses = processor.Run(payload);
        var response = new JsonObject { ["responses"] = responses }.ToJsonString();
        return new DynsecBatchResult(response, processor._changes.Count > 0, processor._changes, processor._kicks.Clients, processor._kicks.Anonymous);
    }

    private JsonArray Run(ReadOnlySpan<byte> payload)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return [Response("Unknown command", null, "Payload not valid JSON")];
        }

        if (root is not JsonObject batch || batch["commands"] is not JsonArray commands)
        {
            return [Response("Unknown command", null, "Invalid/missing commands")];
        }

        var responses = new JsonArray();
        foreach (var node in commands)
        {
            if (node is not JsonObject command || DynsecDocument.Text(command, "command") is not { } name)
            {
                responses.Add(Response("Unknown command", null, "Invalid/missing command"));
                continue;
            }

            var reply = Dispatch(name, command);
            if (reply.Changed && reply.Error is null)
            {
                _changes.Add(Describe(name, command));
            }

            responses.Add(Response(name, command["correlationData"]?.DeepClone(), reply.Error, reply.Data));
        }

        return responses;
    }

    private DynsecReply Dispatch(string name, JsonObject c) => name switch
    {
        "createClient" => CreateClient(c),
        "deleteClient" => DeleteClient(c),
        "modifyClient" => ModifyClient(c),
        "enableClient" => SetDisabled(c, false),
        "disableClient" => SetDisabled(c, true),
        "setClientPassword" => SetClientPassword(c),
        "setClientId" => SetClientId(c),
        "getClient" => GetClient(c),
        "listClients" => List(c, "clients", _state.Clients.Values, ClientJson, x => x.Username),
        "addClientRole" => AddClientRole(c),
        "removeClientRole" => RemoveClientRole(c),
        "createGroup" => CreateGroup(c),
        "deleteGroup" => DeleteGroup(c),
        "modifyGroup" => ModifyGroup(c),
        "getGroup" => GetGroup(c),
        "listGroups" => List(c, "groups", _state.Groups.Values, GroupJson, x => x.Name),
        "addGroupClient" => AddGroupClient(c),
        "removeGroupClient" => RemoveGroupClient(c),
        "addGroupRole" => AddGroupRole(c),
        "removeGroupRole" => RemoveGroupRole(c),
        "setAnonymousGroup" => SetAnonymousGroup(c),
        "getAnonymousGroup" => DynsecReply.With(new JsonObject { ["group"] = new JsonObject { ["groupname"] = _state.AnonymousGroup ?? string.Empty } }),
        "createRole" => _roles.Create(c),
        "deleteRole" => _roles.Delete(c),
        "modifyRole" => _roles.Modify(c),
        "getRole" => _roles.Get(c),
        "listRoles" => List(c, "roles", _state.Roles.Values, DynsecRoleCommands.Json, x => x.Name),
        "addRoleACL" => _roles.AddAcl(c),
        "removeRoleACL" => _roles.RemoveAcl(c),
        "setDefaultACLAccess" => _roles.SetDefaultAccess(c),
        "getDefaultACLAccess" => _roles.GetDefaultAccess(),
        "getDetails" => DynsecReply.With(new JsonObject
        {
            ["clientCount"] = _state.Clients.Count,
            ["groupCount"] = _state.Groups.Count,
            ["roleCount"] = _state.Roles.Count,
            ["changeIndex"] = _changeIndex,
        }),
        _ => DynsecReply.Fail("Unknown command"),
    };

    private static JsonObject Response(string command, JsonNode? correlation, string? error, JsonObject? data = null)
    {
        var response = new JsonObject { ["command"] = command };
        if (error is not null)
        {
            response["error"] = error;
        }

        if (data is not null)
        {
            response["data"] = data;
        }

        if (correlation is not null)
        {
            response["correlationData"] = correlation;
        }

        return response;
    }

    /// <summary>The command and the object it changed, for the audit log; never a password.</summary>
    private static string Describe(string name, JsonObject c)
    {
        var target = new[] { "username", "groupname", "rolename" }
            .Select(key => DynsecDocument.Text(c, key) is { } value ? $"{key}={value}" : null)
            .OfType<string>();
        var extra = new[] { "acltype", "topic", "clientid" }
            .Select(key => DynsecDocument.Text(c, key) is { } value ? $"{key}={value}" : null)
            .OfType<string>();
        return string.Join(' ', new[] { name }.Concat(target).Concat(extra));
    }

    private static DynsecReply List<T>(JsonObject c, string key, IEnumerable<T> all, Func<T, JsonObject> verbose, Func<T, string> name)
    {
        var items = all.ToList();
        var offset = Math.Max(0, DynsecDocument.Int(c, "offset") ?? 0);
        var count = DynsecDocument.Int(c, "count") ?? -1;
        var page = items.Skip(offset).Take(count < 0 ? int.MaxValue : count);
        var detailed = DynsecDocument.Bool(c, "verbose") ?? false;
        return DynsecReply.With(new JsonObject
        {
            ["totalCount"] = items.Count,
            [key] = new JsonArray([.. page.Select(x => detailed ? verbose(x) : (JsonNode)JsonValue.Create(name(x)))]),
        });
    }

    /// <summary>A role or group list from a command (<c>[{"rolename":"r","priority":1}]</c>); null when absent,
    /// an error when it names one that does not exist.</summary>
    private List<DynsecMembership>? ReadMemberships(JsonObject c, string key, string nameKey, Func<string, bool> exists, string notFound, out string? error)
    {
        error = null;
        if (c[key] is not JsonArray array)
        {
            return null;
        }

        var result = new List<DynsecMembership>();
        foreach (var item in array.OfType<JsonObject>())
        {
            if (DynsecDocument.Text(item, nameKey) is not { } name)
            {
                continue;
            }

            if (!exists(name))
            {
                error = notFound;
                return null;
            }

            result.RemoveAll(m => m.Name == name);
            result.Add(new DynsecMembership(name, DynsecDocument.Int(item, "priority") ?? DynsecMembership.DefaultPriority));
        }

        return result;
    }
}
