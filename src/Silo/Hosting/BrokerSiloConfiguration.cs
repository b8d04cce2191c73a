using System.Net;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Grains;
using MqttCluster.Storage;
using MqttCluster.Storage.Postgres;
using Orleans.Configuration;

namespace MqttCluster.Silo.Hosting;

/// <summary>The Orleans silo of a broker node, single-node or clustered, shared by every way of hosting it.</summary>
public static class BrokerSiloConfiguration
{
    public const string PostgresInvariant = "Npgsql";

    public const int DefaultClusterGatewayPort = 30000;

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
            silo.ConfigureEndpoints(
                IPAddress.Parse(cluster.AdvertisedAddress),
                options.SiloPort,
                options.GatewayPort == 0 ? DefaultClusterGatewayPort : options.GatewayPort,
                listenOnAnyHostAddress: cluster.ListenOnAnyAddress);
            silo.Configure<ClusterMembershipOptions>(FastFailureDetection.Configure);

            // Calls in flight to a silo that dies are only answered by the response timeout (30 s by default).
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            silo.AddPostgresGrainStorage(StorageNames.Broker, o => o.ConnectionString = cluster.PostgresConnectionString!);
        }
        else
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.AddSqliteGrainStorage(StorageNames.Broker, storage => storage.DataDirectory = Path.GetFullPath(options.DataDirectory));
        }

        silo.Services.AddBrokerGrainServices();
    }
}
