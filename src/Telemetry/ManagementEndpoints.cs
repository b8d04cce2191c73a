using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;

namespace MqttCluster.Telemetry;

/// <summary>What the management port answers: liveness, readiness, Prometheus' scrape, and whatever the
/// registered <see cref="IManagementRoutes"/> serve.</summary>
public static class ManagementEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";
    public const string MetricsPath = "/metrics";

    /// <summary>Serves the management paths on the management port only (not on MQTT WebSocket ports).</summary>
    public static IApplicationBuilder UseBrokerManagement(this IApplicationBuilder app)
    {
        var endpoint = app.ApplicationServices.GetRequiredService<ManagementEndpoint>();
        var telemetry = app.ApplicationServices.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (telemetry.Prometheus)
        {
            app.UseOpenTelemetryPrometheusScrapingEndpoint(context => endpoint.Serves(context) && context.Request.Path == MetricsPath);
        }

        var readiness = app.ApplicationServices.GetRequiredService<HostReadiness>();
        var routes = app.ApplicationServices.GetServices<IManagementRoutes>().ToArray();
        app.MapWhen(endpoint.Serves, management => management.Run(context => context.Request.Path.Value switch
        {
            LivenessPath => PlainAsync(context, StatusCodes.Status200OK, "ok"),
            ReadinessPath => readiness.IsReady
                ? PlainAsync(context, StatusCodes.Status200OK, "ready")
                : PlainAsync(context, StatusCodes.Status503ServiceUnavailable, "not ready"),
            _ => ServeOtherAsync(context, routes),
        }));
        return app;
    }

    private static async Task ServeOtherAsync(HttpContext context, IManagementRoutes[] routes)
    {
        foreach (var route in routes)
        {
            if (await route.TryServeAsync(context))
            {
                return;
            }
        }

        await PlainAsync(context, StatusCodes.Status404NotFound, "not found");
    }

    private static Task PlainAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body + "\n");
    }
}
