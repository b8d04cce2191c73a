using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MqttCluster.Grains;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Status;

/// <summary>
/// The live status page on the management port: <c>/</c> with its script and style (embedded in this assembly,
/// nothing fetched from elsewhere) and <c>/api/status</c>, the cluster stats grain's view as JSON, which the page
/// polls every two seconds. Any host with cluster access serves it: gateways and grains-only silos.
/// </summary>
public sealed class StatusPage(IGrainFactory grainFactory) : IManagementRoutes
{
    public const string ApiPath = "/api/status";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly Dictionary<string, (string ContentType, byte[] Content)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = ("text/html; charset=utf-8", Read("index.html")),
        ["/status.js"] = ("text/javascript; charset=utf-8", Read("status.js")),
        ["/status.css"] = ("text/css; charset=utf-8", Read("status.css")),
    };

    public async Task<bool> TryServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path == ApiPath)
        {
            await ServeStatusAsync(context);
            return true;
        }

        if (!Files.TryGetValue(path, out var file))
        {
            return false;
        }

        context.Response.ContentType = file.ContentType;
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(file.Content);
        return true;
    }

    private async Task ServeStatusAsync(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        ClusterStatus status;
        try
        {
            status = await grainFactory.GetGrain<IClusterStatsGrain>(IClusterStatsGrain.Key).GetStatusAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsJsonAsync(new { error = $"The cluster did not answer: {exception.Message}" }, Json);
            return;
        }

        await context.Response.WriteAsJsonAsync(status, Json);
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream($"status/{name}")
            ?? throw new InvalidOperationException($"The status page resource '{name}' is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
