using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Configuration;
using MqttCluster.Grains;
using MqttCluster.Silo.Configuration;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>Bridges in the native configuration, and a mosquitto.conf connection block mapped onto it.</summary>
public sealed class BridgeConfigurationTests
{
    private static IReadOnlyList<BridgeOptions> Read(IDictionary<string, string?> settings) =>
        BridgeConfiguration.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());

    [Fact]
    public void ABridgeIsNamedByItsSectionAndKeepsMosquittosDefaults()
    {
        var bridge = Assert.Single(Read(new Dictionary<string, string?>
        {
            ["Bridges:cloud:Addresses:0"] = "mqtt.example.com:1883",
            ["Bridges:cloud:Topics:0:Pattern"] = "sensors/#",
        }));

        Assert.Equal(("cloud", BridgeDirection.Out, 0), (bridge.Name, bridge.Topics[0].Direction, bridge.Topics[0].Qos));
        Assert.Equal((BridgeProtocolVersion.Mqtt311, false, true, true, BridgeStartType.Automatic), (bridge.ProtocolVersion, bridge.CleanSession, bridge.TryPrivate, bridge.Notifications, bridge.StartType));
        Assert.Equal((TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), 1000), (bridge.RestartTimeout, bridge.RestartTimeoutCap, bridge.KeepAliveInterval, bridge.MaxQueuedMessages));
        Assert.Equal(($"{System.Net.Dns.GetHostName()}.cloud", $"local.{System.Net.Dns.GetHostName()}.cloud"), (bridge.EffectiveRemoteClientId, bridge.EffectiveLocalClientId));
        Assert.Equal($"$SYS/broker/connection/{System.Net.Dns.GetHostName()}.cloud/state", bridge.EffectiveNotificationTopic);
    }

    [Theory]
    [InlineData("Bridges:bad:Topics:0:Pattern", "#", "Addresses")]
    [InlineData("Bridges:bad:Addresses:0", "no-port", "'no-port' is not host:port")]
    [InlineData("Bridges:bad:Topics:0:LocalPrefix", "a/+/", "no wildcards")]
    [InlineData("Bridges:bad:Topics:0:Qos", "3", "Qos")]
    [InlineData("Bridges:bad:MaxQueuedMessages", "0", "MaxQueuedMessages")]
    [InlineData("Bridges:bad:RestartTimeoutCap", "00:00:01", "RestartTimeout")]
    [InlineData("Bridges:bad:KeepAliveInterval", "00:00:01", "KeepAliveInterval")]
    [InlineData("Bridges:bad:CertFile", "/etc/pi.pem", "CertFile")]
    [InlineData("Bridges:bad:RemotePassword", "secret", "RemoteUsername")]
    public void AnInvalidBridgeStopsTheStartNamingTheSetting(string key, string value, string problem)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bridges:bad:Addresses:0"] = "10.0.0.1:1883",
            ["Bridges:bad:Topics:0:Pattern"] = "#",
        };
        if (problem == "Addresses")
        {
            settings.Remove("Bridges:bad:Addresses:0");
        }

        settings[key] = value;

        var failure = Assert.Throws<OptionsValidationException>(() => Read(settings));
        Assert.Contains(failure.Failures, f => f.StartsWith("Bridges:bad:", StringComparison.Ordinal) && f.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void AMosquittoConnectionBlockBecomesTheSameNativeBridge()
    {
        var config = MosquittoConfigParser.ParseText(string.Join('\n',
            "max_queued_messages 250",
            "connection cloud",
            "address mqtt.example.com:8883 10.0.0.2",
            "round_robin true",
            "bridge_protocol_version mqttv50",
            "topic sensors/# out 1 \"\" site/7/",
            "topic commands/# in 2 \"\" site/7/",
            "topic # both 0 local/ remote/",
            "cleansession true",
            "local_cleansession false",
            "remote_clientid pi-7",
            "remote_username pi",
            "remote_password secret",
            "notification_topic site/7/bridge",
            "keepalive_interval 30",
            "restart_timeout 2 20",
            "start_type once",
            "bridge_outgoing_retain false",
            "bridge_attempt_unsubscribe false",
            "bridge_cafile /etc/ssl/ca.pem",
            "bridge_tls_version tlsv1.2"), "/etc/mosquitto/mosquitto.conf");
        var mapped = MosquittoConfigMapping.Map(config);
        Assert.Empty(mapped.Errors);

        var bridge = Assert.Single(Read(mapped.Settings));

        Assert.Equal(("cloud", true, BridgeProtocolVersion.Mqtt50), (bridge.Name, bridge.RoundRobin, bridge.ProtocolVersion));
        Assert.Equal(["mqtt.example.com:8883", "10.0.0.2:1883"], bridge.Addresses);
        Assert.Equal(
            [("sensors/#", BridgeDirection.Out, 1, "", "site/7/"), ("commands/#", BridgeDirection.In, 2, "", "site/7/"), ("#", BridgeDirection.Both, 0, "local/", "remote/")],
            bridge.Topics.Select(t => (t.Pattern, t.Direction, t.Qos, t.LocalPrefix, t.RemotePrefix)));
        Assert.Equal((true, (bool?)false, "pi-7", "pi", "secret", "site/7/bridge"), (bridge.CleanSession, bridge.LocalCleanSession, bridge.RemoteClientId, bridge.RemoteUsername, bridge.RemotePassword, bridge.NotificationTopic));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20), BridgeStartType.Once), (bridge.KeepAliveInterval, bridge.RestartTimeout, bridge.RestartTimeoutCap, bridge.StartType));
        Assert.Equal((false, false, "/etc/ssl/ca.pem", "tlsv1.2", 250), (bridge.OutgoingRetain, bridge.AttemptUnsubscribe, bridge.CaFile, bridge.TlsVersion, bridge.MaxQueuedMessages));
    }
}
