using Microsoft.Extensions.Options;
using MqttCluster.Gateway.Hosting;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// The composition of a broker node: an Orleans silo (single node with embedded storage, or a cluster member on
/// PostgreSQL) and a co-hosted MQTT gateway.
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

        builder.AddMqttGatewayListeners("mqtt-cluster-silo");
        if (silo.TrimMemoryWhenQuiet)
        {
            builder.Services.AddHostedService<QuietMemoryTrim>();
        }

        return builder;
    }

    public static WebApplication MapSingleNodeBroker(this WebApplication app)
    {
        var silo = app.Services.GetRequiredService<IOptions<SiloOptions>>().Value;
        var cluster = app.Configuration.GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
        return app.MapMqttGateway(() => cluster.IsClustered ? "in PostgreSQL" : $"in {Path.GetFullPath(silo.DataDirectory)}");
    }
}
