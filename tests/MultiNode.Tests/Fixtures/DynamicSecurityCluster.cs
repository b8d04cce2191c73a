using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>
/// A grains-only silo and two standalone gateways with dynamic security on, imported from a dynamic-security.json
/// made by Debian's <c>mosquitto_ctrl dynsec init</c> (client "admin").
/// </summary>
public sealed class DynamicSecurityCluster : ClusterFixture
{
    public const string Admin = "admin";
    public const string AdminPassword = "admin-secret";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"multinode-dynsec-{Guid.NewGuid():N}.json");

    public DynamicSecurityCluster() => DynsecFile.Create(_file, Admin, AdminPassword);

    protected override int GrainSiloCount => 1;

    protected override int GatewaySiloCount => 0;

    protected override int GatewayCount => 2;

    protected override string[] GatewayArguments => [$"--Security:DynamicSecurityFile={_file}", "--Security:AllowAnonymous=false"];

    public NodeProcess GatewayA => Gateways[0];

    public NodeProcess GatewayB => Gateways[1];
}
