using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// An MQTT gateway in a web host that also runs an Orleans silo or client: services, Kestrel listeners, WebSocket
/// paths and the "ready" log line. Shared by the silo (co-hosted gateway) and the standalone gateway.
/// </summary>
public static class GatewayHostExtensions
{
    /// <param name="serviceName">The host's name in telemetry (OpenTelemetry's <c>service.name</c>).</param>
    public static WebApplicationBuilder AddMqttGatewayListeners(this WebApplicationBuilder builder, string serviceName)
    {
        builder.AddBrokerTelemetry(serviceName);
        builder.AddManagementPort();
        builder.Services.AddMqttGateway(builder.Configuration);
        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        // Checked here, not only at start: Kestrel would otherwise reject a bad port with its own exception first.
        var validation = new GatewayOptionsValidator().Validate(null, gateway);
        if (validation.Failed)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), validation.Failures);
        }

        builder.WebHost.ConfigureKestrel((_, kestrel) =>
            kestrel.ListenMqtt(gateway, kestrel.ApplicationServices.GetRequiredService<Listeners.ConfiguredListeners>(), kestrel.ApplicationServices.GetRequiredService<GatewayEndpoints>()));
        return builder;
    }

    /// <param name="describeStorage">What the ready line says about storage (the silo knows; a gateway has none).</param>
    public static WebApplication MapMqttGateway(this WebApplication app, Func<string>? describeStorage = null)
    {
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        app.UseBrokerManagement();
        app.UseWebSockets();
        app.MapMqttWebSockets(gateway);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MqttCluster.Gateway");
            GatewayHostLog.Ready(
                logger,
                endpoints.TcpEndPoint?.ToString() ?? "off",
                endpoints.WebSocketEndPoint is { } ws ? $"{ws}{gateway.WebSocketPaths[0]}" : "off",
                describeStorage?.Invoke() ?? "in the cluster",
                app.Services.GetRequiredService<ManagementEndpoint>().Description);
        });
        return app;
    }
}
