namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>A broker with small limits, so oversized packets and silent connections are cheap to provoke.</summary>
public sealed class StrictBrokerFixture : BrokerFixture
{
    public const int MaxPacketSize = 1024;

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    protected override string[] ExtraArguments =>
        [$"--Mqtt:MaxPacketSize={MaxPacketSize}", $"--Mqtt:ConnectTimeout={ConnectTimeout:c}"];
}
