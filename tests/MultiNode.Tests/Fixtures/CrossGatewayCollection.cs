namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>The test classes that share one <see cref="CrossGatewayCluster"/> (starting a cluster costs many seconds).</summary>
[CollectionDefinition(Name)]
public sealed class CrossGatewayCollection : ICollectionFixture<CrossGatewayCluster>
{
    public const string Name = "cross-gateway cluster";
}
