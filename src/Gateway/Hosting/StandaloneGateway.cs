using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.CommandLine;
using MqttCluster.Telemetry;
using Orleans.Configuration;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// The standalone gateway executable: an Orleans client that finds the cluster through the PostgreSQL membership
/// table and serves MQTT over TCP and WebSocket to edge clients. It keeps no state of its own.
/// </summary>
public static class StandaloneGateway
{
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--port"] = "Mqtt:TcpPort",
        ["--ws-port"] = "Mqtt:WebSocketPort",
        ["--bind"] = "Mqtt:BindAddress",
        ["--postgres"] = "Cluster:PostgresConnectionString",
    };

    public const string HelpText = """
        mqtt-cluster-gateway: an MQTT gateway (TCP and WebSocket) for a broker cluster on PostgreSQL.

        Usage: dotnet mqtt-cluster-gateway.dll --postgres "Host=...;Database=...;Username=..." [options]

        Settings as for the silo (appsettings.json, Section__Key environment variables, --Section:Key=value):
          --postgres CS      Cluster:PostgresConnectionString   the cluster's membership database (required)
          --port N           Mqtt:TcpPort (1883)                --ws-port N   Mqtt:WebSocketPort (9001)
          --bind ADDRESS     Mqtt:BindAddress (127.0.0.1)
          Cluster:ClusterId / Cluster:ServiceId must match the silos'. Every Mqtt:* and Sessions:* setting of
          the silo applies here too.
          -h, --help         show this text
          --version          print the version (name, version+commit) and exit

        """ + ExitCodes.HelpText;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h"))
        {
            Console.Out.Write(HelpText);
            return ExitCodes.Success;
        }

        if (ProgramVersion.IsRequested(args))
        {
            Console.Out.WriteLine(ProgramVersion.Describe(typeof(StandaloneGateway).Assembly));
            return ExitCodes.Success;
        }

        try
        {
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddCommandLine(args, SwitchMappings);
            var cluster = builder.Configuration.GetSection(BrokerClusterOptions.Section).Get<BrokerClusterOptions>() ?? new BrokerClusterOptions();
            if (!cluster.IsClustered)
            {
                await Console.Error.WriteLineAsync("A standalone gateway needs the cluster's database: --postgres \"Host=...;Database=...;Username=...\"");
                return ExitCodes.InvalidUsage;
            }

            ApplyDefaultLogLevels(builder.Logging);

            // After the console settings above, so that under systemd the journal's format wins.
            builder.Services.AddSystemdReadiness();
            builder.UseOrleansClient(client =>
            {
                if (TelemetryHostExtensions.ReadTelemetryOptions(builder.Configuration).PropagatesGrainCalls)
                {
                    client.AddActivityPropagation();
                }

                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = cluster.PostgresConnectionString;
                });
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                // Learn about new and dead silos quickly (Orleans' default is one minute).
                client.Configure<Orleans.Configuration.GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));

                // A request that was in flight to a silo that died is answered by nothing but this timeout; keep it
                // short so the retry (see TransientClusterFailure) comes soon. Every call the gateway makes is short.
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            });
            builder.AddMqttGatewayListeners("mqtt-cluster-gateway");
            var app = builder.Build();
            app.MapMqttGateway();
            await app.RunAsync();
            return ExitCodes.Success;
        }
        catch (Exception exception) when (exception is OptionsValidationException or InvalidOperationException { InnerException: ArgumentException })
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {exception.Message}");
            return ExitCodes.InvalidUsage;
        }
        catch (Exception exception)
        {
            // The host has logged the details; one line for whoever reads standard error (systemd's status, scripts).
            await Console.Error.WriteLineAsync($"{typeof(StandaloneGateway).Assembly.GetName().Name} failed: {exception.Message}");
            return ExitCodes.Failure;
        }
    }

    // Without a settings file: Orleans and ASP.NET Core at Information are too chatty for operators.
    private static void ApplyDefaultLogLevels(ILoggingBuilder logging)
    {
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-dd HH:mm:ss.fff ";
        });
    }
}
