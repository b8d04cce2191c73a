namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// Cluster membership. Without a connection string a silo runs as a single node (localhost membership, embedded
/// storage); with one, silos and standalone gateways find each other through PostgreSQL and silos keep their
/// state there. Section <c>Cluster</c>.
/// </summary>
public sealed class BrokerClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>PostgreSQL connection string (Npgsql syntax) for membership and grain storage.</summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>Orleans cluster id: silos and gateways with the same id form one cluster.</summary>
    public string ClusterId { get; set; } = "mqtt-cluster";

    /// <summary>Orleans service id: stays the same across deployments of the same broker (storage is keyed by it).</summary>
    public string ServiceId { get; set; } = "mqtt-broker";

    /// <summary>The address other silos and gateways reach this silo at (this machine's address in the network).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every address rather than only the advertised one (containers, NAT).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>Serve MQTT from this silo too (a co-hosted gateway); false runs grains only.</summary>
    public bool HostGateway { get; set; } = true;

    /// <summary>
    /// Silos only: running as pods of a Kubernetes StatefulSet (Orleans' Kubernetes hosting). The silo advertises
    /// POD_IP and listens on all addresses, is named after its pod, takes the cluster identity from
    /// ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID when set, declares the silo of a deleted pod dead at once and deletes
    /// the pod of a silo the cluster declared dead. Needs a service account allowed to read, watch, patch and
    /// delete pods (deploy/kubernetes/silo-rbac.yaml). Membership and storage stay in PostgreSQL.
    /// </summary>
    public bool Kubernetes { get; set; }

    public bool IsClustered => !string.IsNullOrWhiteSpace(PostgresConnectionString);
}
