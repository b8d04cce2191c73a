using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>
/// Three grains-only silos (one of them is killed; two remain to vote it dead) and two standalone gateways. The
/// silos log topic grains at Debug, so a test can tell which silo holds which topic (see
/// <see cref="SiloFailureTests"/>).
/// </summary>
public sealed class SiloFailureCluster : ClusterFixture
{
    protected override int GrainSiloCount => 3;

    protected override int GatewayCount => 2;

    protected override string[] SiloArguments => ["--Logging:LogLevel:MqttCluster.Grains.Topics=Debug"];
}
