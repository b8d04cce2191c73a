using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MqttCluster.Grains;
using static MqttCluster.Gateway.Admin.AdminResponses;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// The dynamic-security objects as REST resources to read, under <c>/api/v1/dynamic-security/</c>: each GET runs the
/// plugin's read command (<c>listClients</c>, <c>getClient</c>, ...) and answers with its <c>data</c>, so it shows
/// exactly what <c>mosquitto_ctrl</c> would. Changes are command batches, POSTed to <c>/api/v1/dynamic-security</c>.
/// </summary>
public sealed class DynamicSecurityAdminApi(IGrainFactory grainFactory)
{
    public const string Resource = "dynamic-security";

    /// <summary>Serves a GET of <paramref name="path"/>, what follows <c>dynamic-security/</c> in the URL.</summary>
    public Task ServeAsync(HttpContext context, string user, string path)
    {
        var segments = path.Split('/').Select(Uri.UnescapeDataString).ToArray();
        var command = segments switch
        {
            ["clients"] => List("listClients", context),
            ["groups"] => List("listGroups", context),
            ["roles"] => List("listRoles", context),
            ["clients", var username] => new JsonObject { ["command"] = "getClient", ["username"] = username },
            ["groups", var groupname] => new JsonObject { ["command"] = "getGroup", ["groupname"] = groupname },
            ["roles", var rolename] => new JsonObject { ["command"] = "getRole", ["rolename"] = rolename },
            ["default-acl-access"] => new JsonObject { ["command"] = "getDefaultACLAccess" },
            ["anonymous-group"] => new JsonObject { ["command"] = "getAnonymousGroup" },
            ["details"] => new JsonObject { ["command"] = "getDetails" },
            _ => null,
        };
        return command is null
            ? ProblemAsync(context, StatusCodes.Status404NotFound, "Not found", $"GET /api/v1/{Resource}/{path} is not part of the API.")
            : RunAsync(context, user, command);
    }

    /// <summary>A list command with the plugin's paging (<c>count</c>, <c>offset</c>), every object in full.</summary>
    private static JsonObject List(string command, HttpContext context) => new()
    {
        ["command"] = command,
        ["verbose"] = true,
        ["count"] = QueryInt(context, "count") ?? -1,
        ["offset"] = Offset(context),
    };

    private async Task RunAsync(HttpContext context, string user, JsonObject command)
    {
        var batch = Encoding.UTF8.GetBytes(new JsonObject { ["commands"] = new JsonArray(command) }.ToJsonString());
        var result = await grainFactory.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key).ExecuteAsync(batch, $"{user} (REST API)");
        var response = JsonNode.Parse(result.Response)!["responses"]![0]!;
        if (response["error"]?.GetValue<string>() is { } error)
        {
            var status = error.EndsWith("not found", StringComparison.Ordinal) ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            await ProblemAsync(context, status, error, $"{command["command"]} answered: {error}.");
            return;
        }

        await context.Response.WriteAsJsonAsync(response["data"] ?? new JsonObject(), Json);
    }
}
