using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

/// <summary>The listener options of Mosquitto 2 beyond address and protocol: mount_point, max_qos, crlfile and the
/// certificate-as-username options, each belonging to the listener section it is written in.</summary>
public class ListenerSectionOptionTests
{
    [Fact]
    public void EachListenerKeepsItsOwnMountPointAndMaximumQos()
    {
        var config = Conf.Parse(
            "per_listener_settings true",
            "listener 1883 127.0.0.1",
            "allow_anonymous true",
            "listener 1884 127.0.0.1",
            "mount_point tenant-a/",
            "max_qos 1",
            "allow_anonymous true",
            "listener 1885 127.0.0.1",
            "maximum_qos 0",
            "allow_anonymous false");

        Conf.NoDiagnostics(config);
        Assert.Equal(
            [(1883, null, 2), (1884, "tenant-a/", 1), (1885, null, 0)],
            config.Listeners.Select(l => (l.Port, l.MountPoint, (int)l.MaxQos)));
        Assert.Equal([true, true, false], config.Listeners.Select(config.AllowsAnonymous));
    }

    [Theory]
    [InlineData("mount_point tenant/#", "not a topic prefix")]
    [InlineData("mount_point a/+/b", "not a topic prefix")]
    [InlineData("max_qos 3", "")]
    public void AMountPointWithWildcardsOrAQosAboveTwoIsAnError(string line, string message)
    {
        var error = Conf.Single(Conf.Parse("listener 1883", "allow_anonymous true", line), ConfigSeverity.Error);

        Assert.Equal(3, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheTlsClientOptionsAreReadPerListener()
    {
        var config = Conf.Parse(
            "listener 8883",
            "certfile /etc/mosquitto/certs/server.pem",
            "keyfile /etc/mosquitto/certs/server.key",
            "cafile /etc/mosquitto/ca_certificates/ca.pem",
            "crlfile /etc/mosquitto/ca_certificates/crl.pem",
            "require_certificate true",
            "use_subject_as_username true");

        Conf.NoDiagnostics(config);
        var listener = Assert.Single(config.Listeners);
        Assert.Equal(("/etc/mosquitto/ca_certificates/crl.pem", true, false), (listener.CrlFile, listener.UseSubjectAsUsername, listener.UseIdentityAsUsername));
    }

    [Fact]
    public void ACrlWithoutTheCaItRevokesForIsAnError()
    {
        var error = Conf.Single(
            Conf.Parse("listener 8883", "certfile /c.pem", "keyfile /k.pem", "crlfile /crl.pem", "allow_anonymous true"),
            ConfigSeverity.Error);

        Assert.Equal((4, "crlfile"), (error.Line, error.Option));
    }

    [Fact]
    public void IdentityAndSubjectAsUsernameExcludeEachOther()
    {
        var error = Conf.Single(
            Conf.Parse("listener 8883", "certfile /c.pem", "keyfile /k.pem", "cafile /ca.pem", "require_certificate true",
                "use_identity_as_username true", "use_subject_as_username true"),
            ConfigSeverity.Error);

        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void UpgradeOutgoingQosIsABrokerOption()
    {
        var config = Conf.Parse("listener 1883", "allow_anonymous true", "upgrade_outgoing_qos true");

        Conf.NoDiagnostics(config);
        Assert.True(config.UpgradeOutgoingQos);
    }
}
