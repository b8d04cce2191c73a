namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker with limits small enough to hit in a test: 1 KiB packets, 1 s to send CONNECT, keep-alive at most 30 s.</summary>
public sealed class SmallLimitsBrokerFixture : BrokerFixture
{
    public const int MaxPacketSize = 1024;

    public const ushort MaxKeepAlive = 30;

    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Mqtt:MaxPacketSize"] = MaxPacketSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Mqtt:ConnectTimeout"] = ConnectTimeout.ToString();
        settings["Mqtt:MaxKeepAlive"] = MaxKeepAlive.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
