using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>A grains-only silo and two standalone gateways, every node exporting its spans to the console.</summary>
public sealed class TracingCluster : ClusterFixture
{
    private static readonly string[] ConsoleExporter = ["--Telemetry:Exporter=console"];

    protected override int GrainSiloCount => 1;

    protected override int GatewayCount => 2;

    protected override string[] SiloArguments => ConsoleExporter;

    protected override string[] GatewayArguments => ConsoleExporter;

    public NodeProcess Silo => GrainSilos[0];

    public NodeProcess GatewayA => Gateways[0];

    public NodeProcess GatewayB => Gateways[1];
}
