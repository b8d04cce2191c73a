using MqttCluster.Gateway.Hosting;
using MqttCluster.Gateway.Status;
using Microsoft.Extensions.Options;
using MqttCluster.Silo.Configuration;
using MqttCluster.Storage.Postgres;
using MqttCluster.Telemetry;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// What the silo executable does with its command line: print help, initialise the database schema
/// (<c>db init</c>), run grains only, or run a broker node (silo + co-hosted MQTT gateway).
/// </summary>
public static class BrokerHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (BrokerCommandLine.IsHelpRequested(args))
        {
            Console.Out.Write(BrokerCommandLine.HelpText);
            return 0;
        }

        if (args is ["db", "init", ..])
        {
            return await InitialiseDatabaseAsync(args[2..]);
        }

        var mosquitto = MosquittoConfigLoader.Load(args, Console.Error);
        if (mosquitto is null)
        {
            return 1;
        }

        args = mosquitto.RemainingArgs;
        try
        {
            var cluster = ReadConfiguration(args, mosquitto).GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
            if (!cluster.HostGateway)
            {
                if (!cluster.IsClustered)
                {
                    // A grains-only silo without a cluster would be a broker nobody can reach.
                    await Console.Error.WriteLineAsync("Invalid configuration: Cluster:HostGateway=false needs Cluster:PostgresConnectionString (a grains-only silo serves a cluster).");
                    return 2;
                }

                await RunGrainsOnlyAsync(args, mosquitto, cluster);
                return 0;
            }

            // Settings files sit next to the binary, so the broker starts the same from any working directory.
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            mosquitto.AddTo(builder.Configuration);
            builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
            builder.AddSingleNodeBroker();
            var app = builder.Build();
            app.MapSingleNodeBroker();
            await app.RunAsync();
            return 0;
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException { InnerException: ArgumentException })
        {
            // A setting that cannot work: one clear line and a non-zero exit, not a stack trace.
            await Console.Error.WriteLineAsync($"Invalid configuration: {exception.Message}");
            return 2;
        }
    }

    private static async Task RunGrainsOnlyAsync(string[] args, MosquittoConfigLoader mosquitto, BrokerClusterOptions cluster)
    {
        var configuration = ReadConfiguration(args, mosquitto);
        var silo = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        IHost host;
        if (TelemetryHostExtensions.ReadManagementOptions(configuration).Port >= 0)
        {
            // A web host only for the management port (health probes, metrics); it serves no MQTT.
            var web = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            ConfigureGrainsOnly(web, args, mosquitto, silo, cluster);
            web.AddManagementPort();

            // The same status page as on gateways: this silo reads it from the cluster stats grain too.
            web.Services.AddClusterStatusPage();
            var app = web.Build();
            app.UseBrokerManagement();
            host = app;
        }
        else
        {
            // Without a management port: Kestrel would otherwise bind its default localhost:5000.
            var plain = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
            ConfigureGrainsOnly(plain, args, mosquitto, silo, cluster);
            plain.Services.AddSingleton(new ManagementEndpoint());
            host = plain.Build();
        }

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MqttCluster.Silo");
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => BrokerHostLog.GrainsOnlyReady(
            logger,
            silo.SiloPort,
            cluster.ClusterId,
            host.Services.GetRequiredService<ManagementEndpoint>().EndPoint is { } management ? $"http://{management}/" : "off"));
        await host.RunAsync();
    }

    private static void ConfigureGrainsOnly(IHostApplicationBuilder builder, string[] args, MosquittoConfigLoader mosquitto, SiloOptions silo, BrokerClusterOptions cluster)
    {
        mosquitto.AddTo(builder.Configuration);
        builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
        builder.UseOrleans(orleans => BrokerSiloConfiguration.Configure(orleans, silo, cluster));
        builder.AddBrokerTelemetry("mqtt-cluster-silo");
    }

    private static async Task<int> InitialiseDatabaseAsync(string[] args)
    {
        var cluster = ReadConfiguration(args, null).GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>();
        if (cluster?.IsClustered != true)
        {
            await Console.Error.WriteLineAsync("db init needs a PostgreSQL connection string: --Cluster:PostgresConnectionString=\"Host=...;Database=...;Username=...\"");
            return 2;
        }

        try
        {
            await PostgresSchema.ApplyAsync(cluster.PostgresConnectionString!, CancellationToken.None);
            await Console.Out.WriteLineAsync("Database schema is up to date.");
            return 0;
        }
        catch (Exception exception)
        {
            await Console.Error.WriteLineAsync($"db init failed: {exception.Message}");
            return 1;
        }
    }

    private static IConfiguration ReadConfiguration(string[] args, MosquittoConfigLoader? mosquitto)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables();
        mosquitto?.AddTo(configuration);
        return configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings).Build();
    }
}
