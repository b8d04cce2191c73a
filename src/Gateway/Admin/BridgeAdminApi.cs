using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// <c>/api/v1/bridges</c> of the REST API (authenticated by <see cref="AdminApi"/>): list every bridge with its
/// status, get one, add or change one with PUT (the body has the shape of the native <c>Bridges:NAME</c> settings),
/// stop and start it, and delete it. Bridges defined here are kept in cluster storage (<see cref="IBridgeRegistryGrain"/>)
/// and run once in the cluster; bridges of the nodes' configuration are listed and read, and changed there.
/// </summary>
public sealed partial class BridgeAdminApi(IGrainFactory grainFactory, ILogger<BridgeAdminApi> logger)
{
    public const string Resource = "bridges";

    private const int MaxNameLength = 64;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private IBridgeRegistryGrain Registry => grainFactory.GetGrain<IBridgeRegistryGrain>(IBridgeRegistryGrain.Key);

    /// <summary>Serves <paramref name="path"/>, what follows <c>bridges</c> in the URL ("" or "/NAME[/stop|/start]").</summary>
    public Task ServeAsync(HttpContext context, string user, string path, string method)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        return (segments, method) switch
        {
            ([], "GET") => ListAsync(context),
            ([var name], "GET") => GetAsync(context, name),
            ([var name], "PUT") => PutAsync(context, user, name),
            ([var name], "DELETE") => DeleteAsync(context, user, name),
            ([var name, "stop"], "POST") => SetRunningAsync(context, user, name, running: false),
            ([var name, "start"], "POST") => SetRunningAsync(context, user, name, running: true),
            _ => ProblemAsync(context, StatusCodes.Status404NotFound, "Not found", $"{method} /api/v1/{Resource}{path} is not part of the API."),
        };
    }

    private async Task ListAsync(HttpContext context)
    {
        var managed = (await Registry.ListAsync()).ToDictionary(b => b.Options.Name, StringComparer.Ordinal);

        // The configured bridges as the cluster status last sampled them (it asks every silo's configuration).
        var cluster = await grainFactory.GetGrain<IClusterStatsGrain>(IClusterStatsGrain.Key).GetStatusAsync();
        var names = managed.Keys.Union(cluster.Bridges.Select(b => b.Name), StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var bridges = await Task.WhenAll(names.Select(async name => Describe(await Bridge(name).GetStatusAsync(), managed.GetValueOrDefault(name))));
        await context.Response.WriteAsJsonAsync(new { totalCount = bridges.Length, bridges }, Json);
    }

    private async Task GetAsync(HttpContext context, string name)
    {
        var managed = await FindManagedAsync(name);
        var status = await Bridge(name).GetStatusAsync();
        if (managed is null && !status.Running)
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "No such bridge", $"No bridge '{name}' is defined here or runs from a node's configuration.");
            return;
        }

        await context.Response.WriteAsJsonAsync(Describe(status, managed), Json);
    }

    private async Task PutAsync(HttpContext context, string user, string name)
    {
        if (!IsValidName(name))
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid bridge name", $"A bridge name has 1 to {MaxNameLength} letters, digits, '.', '_' or '-'.");
            return;
        }

        BridgeOptions options;
        try
        {
            options = await ReadOptionsAsync(context.Request, name);
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException or FormatException or InvalidOperationException)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid bridge", exception.Message);
            return;
        }

        var problems = BridgeOptionsValidator.Problems(options).ToList();
        if (problems.Count > 0)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid bridge", string.Join("; ", problems));
            return;
        }

        var added = await Registry.PutAsync(options);
        LogChange(user, added ? "added" : "changed", name);
        context.Response.StatusCode = added ? StatusCodes.Status201Created : StatusCodes.Status200OK;
        await context.Response.WriteAsJsonAsync(Describe(await Bridge(name).GetStatusAsync(), await FindManagedAsync(name)), Json);
    }

    private async Task SetRunningAsync(HttpContext context, string user, string name, bool running)
    {
        if (!await Registry.SetRunningAsync(name, running))
        {
            await NotManagedAsync(context, name);
            return;
        }

        LogChange(user, running ? "started" : "stopped", name);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private async Task DeleteAsync(HttpContext context, string user, string name)
    {
        if (!await Registry.RemoveAsync(name))
        {
            await NotManagedAsync(context, name);
            return;
        }

        LogChange(user, "removed", name);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>409 for a bridge of a node's configuration (changed there), else 404.</summary>
    private async Task NotManagedAsync(HttpContext context, string name)
    {
        await ((await Bridge(name).GetStatusAsync()).Running
            ? ProblemAsync(context, StatusCodes.Status409Conflict, "Bridge from the configuration", $"'{name}' comes from the nodes' configuration: change it there (and reload), or PUT it here to define it in the cluster instead.")
            : ProblemAsync(context, StatusCodes.Status404NotFound, "No such bridge", $"No bridge '{name}' is defined through the API."));
    }

    /// <summary>
    /// The body read the way the native configuration is (names and values as in <c>Bridges:NAME:...</c>, any case);
    /// a key the options do not have is refused rather than ignored. The name is the URL's.
    /// </summary>
    private static async Task<BridgeOptions> ReadOptionsAsync(HttpRequest request, string name)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        body.Position = 0;
        var configuration = new ConfigurationBuilder().AddJsonStream(body).Build();
        var options = configuration.Get<BridgeOptions>(o => o.ErrorOnUnknownConfiguration = true) ?? new BridgeOptions();
        options.Name = name;
        return options;
    }

    private async Task<ManagedBridge?> FindManagedAsync(string name) =>
        (await Registry.ListAsync()).FirstOrDefault(b => b.Options.Name == name);

    private IBridgeGrain Bridge(string name) => grainFactory.GetGrain<IBridgeGrain>(name);

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static AdminBridge Describe(BridgeStatus status, ManagedBridge? managed) => new(
        status.Name,
        managed is null ? "configuration" : "api",
        status.Running,
        status.Connected,
        status.Address,
        status.Queued,
        status.Sent,
        status.Received,
        status.Dropped,
        status.Silo,
        managed is null ? null : WithoutPassword(managed.Options));

    /// <summary>The options as they were put, less the remote password (it is not shown again).</summary>
    private static JsonObject WithoutPassword(BridgeOptions options)
    {
        var shown = JsonSerializer.SerializeToNode(options, Json)!.AsObject();
        shown.Remove("remotePassword");
        return shown;
    }

    private static Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ProblemDetails(title, status, detail), Json, "application/problem+json");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "REST API: '{User}' {Action} bridge '{Bridge}'")]
    private partial void LogChange(string user, string action, string bridge);
}
