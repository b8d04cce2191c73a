using System.Net;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Grains;
using MqttCluster.Grains.Bridges;
using MqttCluster.Silo.Configuration;
using MqttCluster.Storage;
using MqttCluster.Storage.Postgres;
using MqttCluster.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime.GrainDirectory;

namespace MqttCluster.Silo.Hosting;

/// <summary>The Orleans silo of a broker node, single-node or clustered, shared by every way of hosting it.</summary>
public static class BrokerSiloConfiguration
{
    public const string PostgresInvariant = "Npgsql";

    public const int DefaultClusterGatewayPort = 30000;

    /// <summary>
    /// The single node's grain directory cache. Orleans sizes it for a cluster (1 000 000 entries, a 9 MB array
    /// allocated at start); one silo finds its grains in its own directory, and every grain looked up while thousands
    /// of clients connected touched pages of that array, which stayed resident after they left.
    /// </summary>
    public const int SingleNodeDirectoryCacheSize = 1_000;

    /// <summary>How long a silo keeps calls for a disconnected standalone gateway before rejecting them.</summary>
    public static readonly TimeSpan ClientDropTimeout = TimeSpan.FromSeconds(1);

    public static void Configure(ISiloBuilder silo, SiloOptions options, BrokerClusterOptions cluster)
    {
        if (cluster.IsClustered)
        {
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = PostgresInvariant;
                o.ConnectionString = cluster.PostgresConnectionString;
            });
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // Standalone gateways connect to silos as Orleans clients: a cluster silo always offers that port.
            var gatewayPort = options.GatewayPort == 0 ? DefaultClusterGatewayPort : options.GatewayPort;
            if (cluster.Kubernetes)
            {
                ConfigureKubernetesPod(silo, options.SiloPort, gatewayPort);
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), options.SiloPort, gatewayPort, listenOnAnyHostAddress: cluster.ListenOnAnyAddress);
            }

            silo.Configure<ClusterMembershipOptions>(FastFailureDetection.Configure);

            // Directory cache entries expire (see ExpiringGrainDirectoryCache).
            silo.Configure<GrainDirectoryOptions>(o => o.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.Custom);
            silo.Services.AddSingleton<IGrainDirectoryCache, ExpiringGrainDirectoryCache>();

            silo.Configure<SiloMessagingOptions>(o =>
            {
                // Calls in flight to a silo that dies are only answered by the response timeout (30 s by default).
                o.ResponseTimeout = TimeSpan.FromSeconds(10);

                // Calls to a standalone gateway whose connection dropped are held for it this long (1 min by
                // default), then rejected. A gateway killed with -9 would otherwise hold every call to it, such as a
                // session takeover, until the caller's timeout, and everything queued behind that call.
                o.ClientDropTimeout = ClientDropTimeout;
            });
            silo.AddPostgresGrainStorage(StorageNames.Broker, o => o.ConnectionString = cluster.PostgresConnectionString!);
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = SingleNodeDirectoryCacheSize);
            silo.AddSqliteGrainStorage(StorageNames.Broker, storage => storage.DataDirectory = Path.GetFullPath(options.DataDirectory));
        }

        silo.Services.AddSingleton(new BridgeDefinitions(BridgeConfiguration.Read(silo.Configuration)));
        silo.Services.AddHostedService<BridgeReloadOnHangup>();
        silo.Services.AddBrokerGrainServices();
        if (TelemetryHostExtensions.ReadTelemetryOptions(silo.Configuration).PropagatesGrainCalls)
        {
            silo.AddActivityPropagation();
        }
    }

    /// <summary>
    /// The ports only: Orleans' Kubernetes hosting advertises the pod's IP (POD_IP), listens on all addresses, names
    /// the silo after its pod (POD_NAME, POD_NAMESPACE) and may override the cluster identity from
    /// ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID (deploy/kubernetes/silo-statefulset.yaml sets them all).
    /// </summary>
    private static void ConfigureKubernetesPod(ISiloBuilder silo, int siloPort, int gatewayPort)
    {
        silo.Configure<EndpointOptions>(o =>
        {
            o.SiloPort = siloPort;
            o.GatewayPort = gatewayPort;
        });

        // A silo declared dead (hung rather than crashed, or cut off) has its pod deleted, so the StatefulSet
        // replaces it rather than leaving a process the cluster no longer talks to.
        silo.UseKubernetesHosting(hosting => hosting.Configure(o => o.DeleteDefunctSiloPods = true));
    }
}
