using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Security.DynamicSecurity;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Security.DynamicSecurity;
using MqttCluster.Grains;
using MqttCluster.Telemetry;
using Orleans.Runtime;
using static MqttCluster.Gateway.Admin.AdminResponses;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// The REST API on the management port, <c>/api/v1/...</c>: connected clients of every gateway (list, disconnect),
/// sessions and subscriptions (<see cref="SessionAdminApi"/>), the dynamic-security objects to read
/// (<see cref="DynamicSecurityAdminApi"/>), retained messages
/// (list by filter, get, delete) and the dynamic-security commands (the same batches as on
/// <c>$CONTROL/dynamic-security/v1</c>). Every request needs HTTP basic authentication of a dynamic-security client
/// that may send dynamic-security commands; failed logins are limited per address; every change is logged with who
/// made it. Errors are RFC 9457 problem details.
/// </summary>
public sealed partial class AdminApi(
    IGrainFactory grainFactory,
    IBrokerCluster cluster,
    DynamicSecurityReplica replica,
    DynamicSecuritySync sync,
    FailedLoginLimiter limiter,
    BridgeAdminApi bridges,
    SessionAdminApi sessions,
    DynamicSecurityAdminApi dynamicSecurity,
    ILogger<AdminApi> logger) : IManagementRoutes
{
    public const string Prefix = "/api/v1/";

    private IGatewayDirectoryGrain Directory => grainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public async Task<bool> TryServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        context.Response.Headers.CacheControl = "no-store";
        if (await AuthenticateAsync(context) is not { } user)
        {
            return true;
        }

        var resource = path[Prefix.Length..];
        var method = context.Request.Method;
        var handled = (resource, method) switch
        {
            ("clients", "GET") => ListClientsAsync(context),
            (_, "GET") when resource.StartsWith("clients/", StringComparison.Ordinal) => GetClientAsync(context, Uri.UnescapeDataString(resource["clients/".Length..])),
            (_, "DELETE") when resource.StartsWith("clients/", StringComparison.Ordinal) => DisconnectAsync(context, user, Uri.UnescapeDataString(resource["clients/".Length..])),
            ("retained", "GET") => GetRetainedAsync(context),
            ("retained", "DELETE") => DeleteRetainedAsync(context, user),
            ("dynamic-security", "POST") => DynamicSecurityAsync(context, user),
            (_, "GET") when resource.StartsWith("dynamic-security/", StringComparison.Ordinal) => dynamicSecurity.ServeAsync(context, user, resource["dynamic-security/".Length..]),
            ("publish", "POST") => PublishAsync(context, user),
            _ when resource.Split('/')[0] == BridgeAdminApi.Resource => bridges.ServeAsync(context, user, resource[BridgeAdminApi.Resource.Length..], method),
            _ when sessions.TryServe(context, user, resource, method) is { } served => served,
            _ => ProblemAsync(context, StatusCodes.Status404NotFound, "Not found", $"{method} {path} is not part of the API."),
        };
        try
        {
            await handled;
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException && !context.Response.HasStarted)
        {
            // A silo holding a grain the request needs just died: the grain comes back elsewhere within seconds.
            LogClusterUnavailable(method, path, exception.Message);
            context.Response.Headers.RetryAfter = "2";
            await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "Cluster busy", "A grain this request needs is moving to another silo; try again.");
        }

        return true;
    }

    /// <summary>The administrator's username, or null with 401, 403 or 429 written.</summary>
    private async Task<string?> AuthenticateAsync(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (limiter.RetryAfter(address) is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ProblemAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed logins", "Wait before trying again.");
            return null;
        }

        if (!TryReadBasic(context.Request.Headers.Authorization, out var username, out var password))
        {
            Challenge(context);
            await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication required", "Use HTTP basic authentication with a dynamic-security administrator.");
            return null;
        }

        var rules = replica.Rules;
        if (rules.AuthenticateAdministrator(username, password) != DynsecLogin.Accepted)
        {
            limiter.Failed(address);
            LogLoginFailed(username, address);
            Challenge(context);
            await ProblemAsync(context, StatusCodes.Status401Unauthorized, "Authentication failed", "Unknown user, wrong password or disabled client.");
            return null;
        }

        limiter.Succeeded(address);
        if (!rules.IsAdministrator(username))
        {
            await ProblemAsync(context, StatusCodes.Status403Forbidden, "Not an administrator", $"'{username}' may not send dynamic-security commands, so it may not use this API.");
            return null;
        }

        return username;
    }

    /// <summary>Asks for basic authentication, except from a script (the status page) that sets
    /// <c>X-Requested-With</c>: a browser would answer the challenge with its own login dialog.</summary>
    private static void Challenge(HttpContext context)
    {
        if (!context.Request.Headers.ContainsKey("X-Requested-With"))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"mqtt-cluster\", charset=\"UTF-8\"";
        }
    }

    private static bool TryReadBasic(string? header, out string username, out byte[] password)
    {
        username = string.Empty;
        password = [];
        if (!AuthenticationHeaderValue.TryParse(header, out var value) ||
            !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value.Parameter);
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = Array.IndexOf(decoded, (byte)':');
        if (colon <= 0)
        {
            return false;
        }

        username = Encoding.UTF8.GetString(decoded, 0, colon);
        password = decoded[(colon + 1)..];
        return true;
    }

    /// <summary>Every gateway's clients, filtered by <c>prefix</c> (of the client id), <c>username</c> and <c>node</c>,
    /// ordered by client id, one page of <c>count</c> from <c>offset</c>.</summary>
    private async Task ListClientsAsync(HttpContext context)
    {
        var query = new ConnectionQuery
        {
            ClientIdPrefix = context.Request.Query["prefix"].ToString(),
            Username = context.Request.Query["username"].ToString(),
            Node = context.Request.Query["node"].ToString(),
            Offset = Offset(context),
            Count = Count(context),
        };
        var page = await Directory.ListClientsAsync(query);
        await context.Response.WriteAsJsonAsync(new
        {
            totalCount = page.TotalCount,
            offset = query.Offset,
            gatewaysAsked = page.GatewaysAsked,
            gatewaysAnswered = page.GatewaysAnswered,
            clients = page.Connections.Select(c => new AdminClient(c.ClientId, c.Username, c.Endpoint, c.ProtocolVersion, c.Node, c.QueuedMessages, c.InflightMessages)),
        }, Json);
    }

    /// <summary>The client's connection, wherever in the cluster it is (during a takeover, briefly two).</summary>
    private async Task GetClientAsync(HttpContext context, string clientId)
    {
        var page = await Directory.ListClientsAsync(new ConnectionQuery { ClientIdPrefix = clientId, Count = MaxPageSize });
        var connections = page.Connections.Where(c => c.ClientId == clientId).ToList();
        if (connections.Count == 0)
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Client not connected", $"No client '{clientId}' is connected to any gateway.");
            return;
        }

        var c = connections[0];
        await context.Response.WriteAsJsonAsync(new AdminClient(c.ClientId, c.Username, c.Endpoint, c.ProtocolVersion, c.Node, c.QueuedMessages, c.InflightMessages), Json);
    }

    private async Task DisconnectAsync(HttpContext context, string user, string clientId)
    {
        // Every gateway is asked, and answers once the connection is gone from it.
        var closed = await Directory.DisconnectClientAsync(clientId, $"{user} (REST API)");
        if (closed == 0)
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "Client not connected", $"No client '{clientId}' is connected to any gateway.");
            return;
        }

        LogChange(user, "disconnected client", clientId);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task GetRetainedAsync(HttpContext context)
    {
        var topic = context.Request.Query["topic"].ToString();
        var filter = topic.Length > 0 ? topic : context.Request.Query["filter"].ToString();
        if (filter.Length == 0 || !TopicFilter.IsValid(filter) || (topic.Length > 0 && !TopicName.IsValid(topic)))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid topic or filter", "Give ?filter=FILTER (wildcards allowed) or ?topic=TOPIC.");
            return;
        }

        var messages = await cluster.GetRetainedAsync(filter);
        var shown = messages.Select(m => new AdminRetainedMessage(m.Topic, m.QualityOfService, TryUtf8(m.Payload), Convert.ToBase64String(m.Payload))).ToList();
        if (topic.Length > 0)
        {
            await (shown.Count == 0
                ? ProblemAsync(context, StatusCodes.Status404NotFound, "No retained message", $"'{topic}' holds no retained message.")
                : context.Response.WriteAsJsonAsync(shown[0], Json));
            return;
        }

        await context.Response.WriteAsJsonAsync(new { totalCount = shown.Count, messages = shown }, Json);
    }

    private async Task DeleteRetainedAsync(HttpContext context, string user)
    {
        var topic = context.Request.Query["topic"].ToString();
        if (!TopicName.IsValid(topic) || topic.StartsWith('$'))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid topic", "Give ?topic=TOPIC, a topic name not starting with '$'.");
            return;
        }

        // An empty retained message clears the topic's retained message [MQTT-3.3.1-10].
        await cluster.PublishAsync(topic, [new BrokerMessage { Topic = topic, Payload = [], Retain = true, MessageId = Guid.NewGuid() }]);
        LogChange(user, "deleted the retained message of", topic);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The request body becomes the payload of a message published as the broker (no publisher client id).</summary>
    private async Task PublishAsync(HttpContext context, string user)
    {
        var topic = context.Request.Query["topic"].ToString();
        var qos = QueryInt(context, "qos") ?? 0;
        var retain = string.Equals(context.Request.Query["retain"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        if (!TopicName.IsValid(topic) || topic.StartsWith('$') || qos is < 0 or > 2)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid publish", "Give ?topic=TOPIC (not starting with '$') and optionally qos=0|1|2 and retain=true.");
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        await cluster.PublishAsync(topic, [new BrokerMessage { Topic = topic, Payload = body.ToArray(), QualityOfService = (byte)qos, Retain = retain, MessageId = Guid.NewGuid() }]);
        LogChange(user, "published a message to", topic);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task DynamicSecurityAsync(HttpContext context, string user)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        if (BatchProblem(body.ToArray()) is { } problem)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid command batch", $"{problem}: the body must be {{\"commands\":[...]}}, as on {DynamicSecurityTopics.Control}.");
            return;
        }

        // A batch that parses is run as on MQTT: each command on its own, its error (the plugin's) in its response.
        var result = await grainFactory.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key).ExecuteAsync(body.ToArray(), $"{user} (REST API)");
        await sync.CatchUpAsync(result.Version);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(result.Response);
    }

    /// <summary>Why the body is not a command batch (the plugin's words), or null when it is one.</summary>
    private static string? BatchProblem(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject { } batch && batch["commands"] is JsonArray ? null : "Invalid/missing commands";
        }
        catch (JsonException)
        {
            return "Payload not valid JSON";
        }
    }

    private static string? TryUtf8(byte[] payload)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "REST API: '{User}' {Action} '{Target}'")]
    private partial void LogChange(string user, string action, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "REST API: {Method} {Path} could not reach the cluster: {Reason}")]
    private partial void LogClusterUnavailable(string method, string path, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "REST API: failed login as '{Username}' from {Address}")]
    private partial void LogLoginFailed(string username, string address);
}
