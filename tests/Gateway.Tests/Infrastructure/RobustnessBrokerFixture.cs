namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker that closes connections which send no CONNECT within <see cref="ConnectTimeout"/>.</summary>
public sealed class RobustnessBrokerFixture : BrokerFixture
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Mqtt:ConnectTimeout"] = ConnectTimeout.ToString();
    }
}
