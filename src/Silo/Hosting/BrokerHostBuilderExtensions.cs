using Microsoft.Extensions.Options;
using MqttCluster.Gateway;
using MqttCluster.Gateway.Hosting;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// The composition of a single-node broker: an Orleans silo with embedded storage and a co-hosted MQTT gateway.
/// Program.cs and the tests both start the broker through this, so tests run what users run.
/// </summary>
public static class BrokerHostBuilderExtensions
{
    public static WebApplicationBuilder AddSingleNodeBroker(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Services.AddOptions<SiloOptions>().Bind(configuration.GetSection(SiloOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>();

        var silo = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        var cluster = configuration.GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();

        // The silo first: hosted services start in registration order, so the gateway registers its routes with
        // a running silo, and Kestrel (started last by the web host) accepts clients only after both.
        builder.UseOrleans(orleans => BrokerSiloConfiguration.Configure(orleans, silo, cluster));

        builder.Services.AddMqttGateway(configuration);

        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        // Checked here, not only at start: Kestrel would otherwise reject a bad port with its own exception first.
        var validation = new GatewayOptionsValidator().Validate(null, gateway);
        if (validation.Failed)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), validation.Failures);
        }
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.ListenMqtt(gateway, kestrel.ApplicationServices.GetRequiredService<GatewayEndpoints>()));
        return builder;
    }

    public static WebApplication MapSingleNodeBroker(this WebApplication app)
    {
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        app.UseWebSockets();
        app.MapMqttWebSockets(gateway);
        app.Lifetime.ApplicationStarted.Register(() => LogListening(app));
        return app;
    }

    private static void LogListening(WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
        var gateway = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MqttCluster.Silo");
        BrokerLog.Listening(
            logger,
            endpoints.TcpEndPoint?.ToString() ?? "off",
            endpoints.WebSocketEndPoint is { } ws ? $"{ws}{gateway.WebSocketPaths[0]}" : "off",
            Path.GetFullPath(app.Services.GetRequiredService<IOptions<SiloOptions>>().Value.DataDirectory));
    }
}
