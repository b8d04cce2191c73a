using MqttCluster.Gateway.Status;
using Microsoft.Extensions.Options;
using MqttCluster.Core.CommandLine;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Silo.Configuration;
using MqttCluster.Storage.Postgres;
using MqttCluster.Telemetry;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// What the silo executable does with its command line: print help or the version, initialise the database schema
/// (<c>db init</c>), run grains only, or run a broker node (silo + co-hosted MQTT gateway). Exit codes as
/// <see cref="ExitCodes"/> says.
/// </summary>
public static class BrokerHost
{
    private static string ExecutableName => typeof(BrokerHost).Assembly.GetName().Name!;

    public static async Task<int> RunAsync(string[] args)
    {
        if (BrokerCommandLine.IsHelpRequested(args))
        {
            Console.Out.Write(BrokerCommandLine.HelpText);
            return ExitCodes.Success;
        }

        if (ProgramVersion.IsRequested(args))
        {
            Console.Out.WriteLine(ProgramVersion.Describe(typeof(BrokerHost).Assembly));
            return ExitCodes.Success;
        }

        if (args is ["db", "init", ..])
        {
            return await InitialiseDatabaseAsync(args[2..]);
        }

        var mosquitto = MosquittoConfigLoader.Load(args, Console.Error);
        if (mosquitto is null)
        {
            return ExitCodes.InvalidUsage;
        }

        args = mosquitto.RemainingArgs;
        try
        {
            var cluster = ReadConfiguration(args, mosquitto).GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
            if (ClusterProblem(cluster) is { } problem)
            {
                await Console.Error.WriteLineAsync($"Invalid configuration: {problem}");
                return ExitCodes.InvalidUsage;
            }

            if (cluster.HostGateway)
            {
                await RunBrokerNodeAsync(args, mosquitto);
            }
            else
            {
                await RunGrainsOnlyAsync(args, mosquitto, cluster);
            }

            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException { InnerException: ArgumentException })
        {
            // A setting that cannot work: one clear line and a non-zero exit, not a stack trace.
            await Console.Error.WriteLineAsync($"Invalid configuration: {exception.Message}");
            return ExitCodes.InvalidUsage;
        }
        catch (Exception exception)
        {
            // The host has logged the details; one line for whoever reads standard error (systemd's status, scripts).
            await Console.Error.WriteLineAsync($"{ExecutableName} failed: {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>Settings that cannot work together, before anything starts.</summary>
    private static string? ClusterProblem(BrokerClusterOptions cluster) => cluster switch
    {
        // A grains-only silo without a cluster would be a broker nobody can reach.
        { HostGateway: false, IsClustered: false } =>
            "Cluster:HostGateway=false needs Cluster:PostgresConnectionString (a grains-only silo serves a cluster).",
        { Kubernetes: true, IsClustered: false } =>
            "Cluster:Kubernetes=true needs Cluster:PostgresConnectionString (Kubernetes hosting complements the PostgreSQL membership).",
        _ => null,
    };

    private static async Task RunBrokerNodeAsync(string[] args, MosquittoConfigLoader mosquitto)
    {
        // Settings files sit next to the binary, so the broker starts the same from any working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        mosquitto.AddTo(builder.Configuration);
        builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
        builder.AddSingleNodeBroker();
        builder.Services.AddSystemdReadiness();
        var app = builder.Build();
        app.MapSingleNodeBroker();
        await app.RunAsync();
    }

    private static async Task RunGrainsOnlyAsync(string[] args, MosquittoConfigLoader mosquitto, BrokerClusterOptions cluster)
    {
        var configuration = ReadConfiguration(args, mosquitto);
        var silo = configuration.GetSection(SiloOptions.Section).Get<SiloOptions>() ?? new SiloOptions();
        IHost host;
        var (management, endpoint) = TelemetryHostExtensions.PlanManagementPort(configuration);
        if (management.Port >= 0 && endpoint.Skipped is null)
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
            plain.Services.AddSingleton(endpoint);
            host = plain.Build();
        }

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("MqttCluster.Silo");
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStarted.Register(() => BrokerHostLog.GrainsOnlyReady(
            logger,
            silo.SiloPort,
            cluster.ClusterId,
            host.Services.GetRequiredService<ManagementEndpoint>().Description));
        await host.RunAsync();
    }

    private static void ConfigureGrainsOnly(IHostApplicationBuilder builder, string[] args, MosquittoConfigLoader mosquitto, SiloOptions silo, BrokerClusterOptions cluster)
    {
        mosquitto.AddTo(builder.Configuration);
        builder.Configuration.AddCommandLine(args, BrokerCommandLine.SwitchMappings);
        builder.UseOrleans(orleans => BrokerSiloConfiguration.Configure(orleans, silo, cluster));
        builder.AddBrokerTelemetry("mqtt-cluster-silo");
        builder.Services.AddSystemdReadiness();
    }

    private static async Task<int> InitialiseDatabaseAsync(string[] args)
    {
        var cluster = ReadConfiguration(args, null).GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>();
        if (cluster?.IsClustered != true)
        {
            await Console.Error.WriteLineAsync("db init needs a PostgreSQL connection string: --Cluster:PostgresConnectionString=\"Host=...;Database=...;Username=...\"");
            return ExitCodes.InvalidUsage;
        }

        try
        {
            await PostgresSchema.ApplyAsync(cluster.PostgresConnectionString!, CancellationToken.None);
            await Console.Out.WriteLineAsync("Database schema is up to date.");
            return ExitCodes.Success;
        }
        catch (Exception exception)
        {
            await Console.Error.WriteLineAsync($"db init failed: {exception.Message}");
            return ExitCodes.Failure;
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
