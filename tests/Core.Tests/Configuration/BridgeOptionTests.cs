using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

/// <summary>Mosquitto's bridge sections (<c>connection NAME</c> and the options after it), read into <see cref="MosquittoBridge"/>.</summary>
public class BridgeOptionTests
{
    private static MosquittoBridge ParseOne(params string[] lines)
    {
        var config = Conf.Parse(["listener 1883", "allow_anonymous true", "connection cloud", "address 10.0.0.1", "topic # out", .. lines]);
        Conf.NoErrors(config);
        return Assert.Single(config.Bridges);
    }

    [Fact]
    public void ABridgeWithoutOptionsHasMosquittosDefaults()
    {
        var bridge = ParseOne();

        Assert.Equal(("cloud", Conf.MainFile, 3), (bridge.Name, bridge.File, bridge.Line));
        Assert.Equal(["10.0.0.1:1883"], bridge.Addresses);
        Assert.Equal(("mqttv311", false, null, true, true, false), (bridge.ProtocolVersion, bridge.CleanSession, bridge.LocalCleanSession, bridge.TryPrivate, bridge.Notifications, bridge.NotificationsLocalOnly));
        Assert.Equal((60, 5, 30, "automatic", 10, 60), (bridge.KeepAliveInterval, bridge.RestartTimeoutBase, bridge.RestartTimeoutCap, bridge.StartType, bridge.Threshold, bridge.IdleTimeout));
        Assert.Equal((true, true, false, false), (bridge.AttemptUnsubscribe, bridge.OutgoingRetain, bridge.RoundRobin, bridge.Insecure));
        Assert.Null(bridge.RemoteClientId);
        Assert.Null(bridge.LocalClientId);
    }

    [Fact]
    public void EveryHonouredOptionIsRead()
    {
        var bridge = ParseOne(
            "bridge_protocol_version mqttv50",
            "cleansession true",
            "local_cleansession false",
            "remote_clientid pi-1",
            "local_clientid pi-1-local",
            "remote_username pi user",
            "remote_password secret with spaces",
            "try_private false",
            "notifications false",
            "notification_topic bridges/pi-1/state",
            "notifications_local_only true",
            "keepalive_interval 90",
            "restart_timeout 10 120",
            "start_type once",
            "threshold 20",
            "idle_timeout 30",
            "bridge_attempt_unsubscribe false",
            "bridge_outgoing_retain false",
            "bridge_cafile /etc/ssl/ca.pem",
            "bridge_certfile certs/pi.pem",
            "bridge_keyfile certs/pi.key",
            "bridge_insecure true",
            "bridge_tls_version tlsv1.3",
            "bridge_max_packet_size 65536",
            "bridge_receive_maximum 10",
            "bridge_session_expiry_interval 3600",
            "round_robin true");

        Assert.Equal(("mqttv50", true, (bool?)false, "pi-1", "pi-1-local"), (bridge.ProtocolVersion, bridge.CleanSession, bridge.LocalCleanSession, bridge.RemoteClientId, bridge.LocalClientId));
        Assert.Equal(("pi user", "secret with spaces"), (bridge.RemoteUsername, bridge.RemotePassword));
        Assert.Equal((false, false, "bridges/pi-1/state", true), (bridge.TryPrivate, bridge.Notifications, bridge.NotificationTopic, bridge.NotificationsLocalOnly));
        Assert.Equal((90, 10, 120, "once", 20, 30), (bridge.KeepAliveInterval, bridge.RestartTimeoutBase, bridge.RestartTimeoutCap, bridge.StartType, bridge.Threshold, bridge.IdleTimeout));
        Assert.Equal((false, false, true), (bridge.AttemptUnsubscribe, bridge.OutgoingRetain, bridge.RoundRobin));
        Assert.Equal(("/etc/ssl/ca.pem", "/etc/mosquitto/certs/pi.pem", "/etc/mosquitto/certs/pi.key", true, "tlsv1.3"), (bridge.CaFile, bridge.CertFile, bridge.KeyFile, bridge.Insecure, bridge.TlsVersion));
        Assert.Equal((65536L, (int?)10, (long?)3600), (bridge.MaxPacketSize, bridge.ReceiveMaximum, bridge.SessionExpiryInterval));
    }

    [Fact]
    public void TheOldNamesOfTheRemoteOptionsStillWork()
    {
        var bridge = ParseOne("clientid old-id", "username old-user", "password old-secret");

        Assert.Equal(("old-id", "old-user", "old-secret"), (bridge.RemoteClientId, bridge.RemoteUsername, bridge.RemotePassword));
    }

    [Fact]
    public void OneRestartTimeoutIsAConstantDelay()
    {
        var bridge = ParseOne("restart_timeout 20");

        Assert.Equal((20, 20), (bridge.RestartTimeoutBase, bridge.RestartTimeoutCap));
    }

    [Theory]
    [InlineData("address broker.example.com", "broker.example.com:1883")]
    [InlineData("address 10.0.0.1:8883", "10.0.0.1:8883")]
    [InlineData("addresses 10.0.0.1:1884", "10.0.0.1:1884")]
    [InlineData("address [::1]:1883", "[::1]:1883")]
    [InlineData("address fd00::1:1883", "[fd00::1]:1883")]
    public void AddressesGetAPort(string line, string expected)
    {
        var config = Conf.Parse("connection cloud", line, "topic #");
        Conf.NoErrors(config);
        Assert.Equal([expected], Assert.Single(config.Bridges).Addresses);
    }

    [Fact]
    public void SeveralAddressesKeepTheirOrder()
    {
        var config = Conf.Parse("connection cloud", "address a.example.com b.example.com:1884 10.0.0.3", "round_robin true", "topic #");

        Assert.Equal(["a.example.com:1883", "b.example.com:1884", "10.0.0.3:1883"], Assert.Single(config.Bridges).Addresses);
    }

    [Theory]
    [InlineData("topic sensors/#", "sensors/#", "out", 0, "", "")]
    [InlineData("topic sensors/# in", "sensors/#", "in", 0, "", "")]
    [InlineData("topic sensors/# BOTH 2", "sensors/#", "both", 2, "", "")]
    [InlineData("topic # out 1 local/ remote/", "#", "out", 1, "local/", "remote/")]
    [InlineData("topic # in 1 \"\" pi/", "#", "in", 1, "", "pi/")]
    [InlineData("topic # both 2 pi/ \"\"", "#", "both", 2, "pi/", "")]
    [InlineData("topic clients/total in 0 test/mosquitto/org/ $SYS/broker/", "clients/total", "in", 0, "test/mosquitto/org/", "$SYS/broker/")]
    [InlineData("topic \"\" out 1 here/state there/state", "", "out", 1, "here/state", "there/state")]
    [InlineData("topic # out 1 local/", "#", "out", 1, "local/", "")]
    public void TopicLinesInEveryForm(string line, string pattern, string direction, int qos, string localPrefix, string remotePrefix)
    {
        var config = Conf.Parse("connection cloud", "address 10.0.0.1", line);
        Conf.NoErrors(config);

        Assert.Equal(new MosquittoBridgeTopic(pattern, direction, qos, localPrefix, remotePrefix, 3), Assert.Single(Assert.Single(config.Bridges).Topics));
    }

    [Theory]
    [InlineData("topic # sideways", "direction")]
    [InlineData("topic # out 3", "QoS")]
    [InlineData("topic # out one", "QoS")]
    [InlineData("topic \"\" out 0 local/", "both a local and a remote prefix")]
    [InlineData("topic \"\" out 0", "both a local and a remote prefix")]
    [InlineData("topic # out 0 local/+/ remote/", "no wildcards")]
    [InlineData("topic a/#/b", "not a valid topic filter")]
    public void InvalidTopicLinesAreErrorsOnTheirLine(string line, string message)
    {
        var error = Conf.Single(Conf.Parse("connection cloud", "address 10.0.0.1", line), ConfigSeverity.Error);

        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bridge_protocol_version mqttv6")]
    [InlineData("start_type manual")]
    [InlineData("bridge_tls_version tlsv1.0")]
    [InlineData("cleansession yes")]
    [InlineData("restart_timeout 0")]
    [InlineData("restart_timeout 30 10")]
    [InlineData("bridge_receive_maximum 0")]
    [InlineData("notification_topic state/#")]
    [InlineData("address host:99999")]
    public void InvalidValuesAreErrorsOnTheirLine(string line)
    {
        var error = Conf.Single(Conf.Parse("connection cloud", "address 10.0.0.1", "topic #", line), ConfigSeverity.Error);

        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void AKeepAliveBelowFiveSecondsIsRaisedAsInMosquitto()
    {
        var config = Conf.Parse("connection cloud", "address 10.0.0.1", "topic #", "keepalive_interval 2");

        Assert.Equal(4, Conf.Single(config, ConfigSeverity.Warning).Line);
        Assert.Equal(5, Assert.Single(config.Bridges).KeepAliveInterval);
    }

    [Fact]
    public void WhatMosquittoRefusesAtStartIsAnErrorAtTheLineThatCausesIt()
    {
        var config = Conf.Parse(
            "connection nowhere",
            "topic #",
            "remote_password secret",
            "bridge_certfile /etc/pi.pem",
            "connection second",
            "address 10.0.0.2",
            "local_clientid same",
            "topic #",
            "connection third",
            "address 10.0.0.3",
            "local_clientid same",
            "topic #");

        Assert.Equal([1, 3, 4, 4, 11], Conf.Errors(config).Select(e => e.Line).Order());
    }

    [Fact]
    public void ABridgeWithoutTopicsIsWarned()
    {
        var config = Conf.Parse("connection cloud", "address 10.0.0.1");

        Assert.Contains("no 'topic' line", Conf.Single(config, ConfigSeverity.Warning).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bridge_psk 0123abcd")]
    [InlineData("bridge_identity pi")]
    [InlineData("bridge_ciphers ECDHE-RSA-AES256-GCM-SHA384")]
    [InlineData("bridge_bind_address 10.0.0.5")]
    [InlineData("bridge_require_ocsp true")]
    [InlineData("bridge_alpn mqtt")]
    public void BridgeOptionsThatWouldWeakenOrChangeTheConnectionAreErrors(string line) =>
        Assert.Equal(4, Conf.Single(Conf.Parse("connection cloud", "address 10.0.0.1", "topic #", line), ConfigSeverity.Error).Line);

    [Theory]
    [InlineData("local_username pi")]
    [InlineData("local_password secret")]
    [InlineData("bridge_tcp_keepalive 60 10 3")]
    [InlineData("bridge_max_topic_alias 10")]
    public void HarmlessBridgeOptionsAreWarnings(string line) =>
        Assert.Equal(4, Conf.Single(Conf.Parse("connection cloud", "address 10.0.0.1", "topic #", line), ConfigSeverity.Warning).Line);

    [Fact]
    public void TwoBridgesWithOneNameAreAnError()
    {
        var config = Conf.Parse("connection cloud", "address 10.0.0.1", "topic #", "connection cloud", "address 10.0.0.2", "topic #");

        Assert.Equal(4, Conf.Single(config, ConfigSeverity.Error).Line);
    }

    [Fact]
    public void EachConnectionLineStartsItsOwnSection()
    {
        var config = Conf.Parse("connection a", "address 10.0.0.1", "topic a/#", "connection b", "address 10.0.0.2", "topic b/# in");

        Conf.NoDiagnostics(config);
        Assert.Equal([("a", "a/#", "out"), ("b", "b/#", "in")], config.Bridges.Select(b => (b.Name, b.Topics[0].Pattern, b.Topics[0].Direction)));
    }
}
