namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>The three kinds of process a cluster is made of.</summary>
public enum NodeKind
{
    /// <summary><c>mqtt-cluster-silo.dll --Cluster:HostGateway=false</c>: grains only, no MQTT.</summary>
    GrainSilo,

    /// <summary><c>mqtt-cluster-silo.dll</c> in cluster mode with its co-hosted MQTT gateway.</summary>
    GatewaySilo,

    /// <summary><c>mqtt-cluster-gateway.dll</c>: a standalone gateway, an Orleans client.</summary>
    Gateway,
}
