using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class ListenerTests
{
    [Fact]
    public void WithoutListenersOnlyLoopbackPort1883IsOpenAndAnonymousClientsAreAllowed()
    {
        var config = Conf.Parse("# nothing but a comment", "", "persistence true");

        Conf.NoDiagnostics(config);
        Assert.True(config.LocalOnly);
        var listener = Assert.Single(config.Listeners);
        Assert.Equal((ListenerOrigin.LocalOnly, 1883, "127.0.0.1"), (listener.Origin, listener.Port, listener.BindAddress));
        Assert.True(config.AllowsAnonymous(listener));
    }

    [Fact]
    public void PortAloneIsTheDefaultListenerOnEveryAddressAndRefusesAnonymousClients()
    {
        // Mosquitto 2.0.11 with only "port 18805" opens 0.0.0.0:18805 and [::]:18805.
        var config = Conf.Parse("port 1884");

        var listener = Assert.Single(config.Listeners);
        Assert.Equal((ListenerOrigin.DefaultListener, 1884, null, 1), (listener.Origin, listener.Port, listener.BindAddress, listener.Line));
        Assert.False(config.LocalOnly);
        Assert.False(config.AllowsAnonymous(listener));
    }

    [Fact]
    public void TheSeedConfigurationGivesTcpOn1883AndWebSocketsOn9001()
    {
        var config = Conf.Parse("port 1883", "listener 9001", "protocol websockets");

        Conf.NoErrors(config);
        Assert.Collection(config.Listeners,
            ws => Assert.Equal((ListenerOrigin.ListenerLine, 9001, null, ListenerProtocol.WebSockets), (ws.Origin, ws.Port, ws.BindAddress, ws.Protocol)),
            tcp => Assert.Equal((ListenerOrigin.DefaultListener, 1883, null, ListenerProtocol.Mqtt), (tcp.Origin, tcp.Port, tcp.BindAddress, tcp.Protocol)));

        // Mosquitto 2 refuses anonymous clients here; the hint names the line that restores Mosquitto 1.x behaviour.
        var hint = Conf.Single(config, ConfigSeverity.Warning);
        Assert.Equal(("allow_anonymous", 2), (hint.Option, hint.Line));
        Assert.Contains($"add the line 'allow_anonymous true' to {Conf.MainFile}", hint.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRaspberryPiConfigurationParsesWithoutDiagnostics()
    {
        var config = Conf.Parse(
            "listener 1883",
            "listener 9001",
            "protocol websockets",
            "allow_anonymous true",
            "persistence true",
            "persistence_location /var/lib/mosquitto/");

        Conf.NoDiagnostics(config);
        Assert.Equal([(1883, ListenerProtocol.Mqtt), (9001, ListenerProtocol.WebSockets)], config.Listeners.Select(l => (l.Port, l.Protocol)));
        Assert.All(config.Listeners, l => Assert.True(config.AllowsAnonymous(l)));
        Assert.True(config.Persistence);
        Assert.Equal("/var/lib/mosquitto", config.PersistenceLocation);
    }

    [Fact]
    public void BindAddressAppliesToTheDefaultListenerOnly()
    {
        var config = Conf.Parse("bind_address 127.0.0.1", "listener 8883 ::1");

        Conf.NoErrors(config);
        Assert.Equal([(8883, "::1"), (1883, "127.0.0.1")], config.Listeners.Select(l => (l.Port, l.BindAddress)));
    }

    [Fact]
    public void BindAddressInsideAListenerSectionStillMeansTheDefaultListenerAndSaysSo()
    {
        var config = Conf.Parse("listener 9001", "bind_address 127.0.0.1");

        Assert.Equal([(9001, null), (1883, "127.0.0.1")], config.Listeners.Select(l => (l.Port, l.BindAddress)));
        Assert.Contains(config.Diagnostics, d => d is { Severity: ConfigSeverity.Warning, Line: 2, Option: "bind_address" });
    }

    [Fact]
    public void AListenerOptionBeforeAnyListenerCreatesTheDefaultListenerWithAWarning()
    {
        // Mosquitto 2.0.11 with "protocol websockets" before "listener 18813 127.0.0.1" opened a WebSocket
        // listener on *:1883 besides the requested one.
        var config = Conf.Parse("protocol websockets", "listener 18813 127.0.0.1", "allow_anonymous true");

        Assert.Equal([(18813, "127.0.0.1", ListenerProtocol.Mqtt), (1883, null, ListenerProtocol.WebSockets)],
            config.Listeners.Select(l => (l.Port, l.BindAddress, l.Protocol)));
        var warning = Conf.Single(config, ConfigSeverity.Warning);
        Assert.Equal(("protocol", 1), (warning.Option, warning.Line));
    }

    [Fact]
    public void AnOptionWithItsDefaultValueBeforeAnyListenerDoesNotCreateTheDefaultListener()
    {
        var config = Conf.Parse("protocol mqtt", "max_connections -1", "require_certificate false", "listener 1883", "allow_anonymous true");

        Conf.NoDiagnostics(config);
        Assert.Equal([1883], config.Listeners.Select(l => l.Port));
    }

    [Fact]
    public void OptionsAfterAListenerLineBelongToThatListenerUntilTheNextOne()
    {
        var config = Conf.Parse(
            "allow_anonymous true",
            "listener 8883 0.0.0.0",
            "certfile certs/server.crt",
            "keyfile /etc/mosquitto/certs/server.key",
            "cafile /etc/mosquitto/ca_certificates/ca.crt",
            "require_certificate true",
            "use_identity_as_username true",
            "max_connections 100",
            "listener 8080 # a comment after the port",
            "protocol websockets",
            "max_connections -5");

        Conf.NoDiagnostics(config);
        var (tls, ws) = (config.Listeners[0], config.Listeners[1]);
        Assert.Equal((8883, "0.0.0.0", ListenerProtocol.Mqtt, true), (tls.Port, tls.BindAddress, tls.Protocol, tls.UsesTls));
        Assert.Equal("/etc/mosquitto/certs/server.crt", tls.CertFile);
        Assert.Equal("/etc/mosquitto/certs/server.key", tls.KeyFile);
        Assert.Equal("/etc/mosquitto/ca_certificates/ca.crt", tls.CaFile);
        Assert.True(tls.RequireCertificate && tls.UseIdentityAsUsername);
        Assert.Equal(100, tls.MaxConnections);
        Assert.Equal((8080, null, ListenerProtocol.WebSockets, false, -1), (ws.Port, ws.BindAddress, ws.Protocol, ws.UsesTls, ws.MaxConnections));
    }

    [Theory]
    [InlineData("listener 1883", "listener 1883", 2)]
    [InlineData("listener 1883 127.0.0.1", "listener 1883 127.0.0.1", 2)]
    [InlineData("listener 1883", "port 1883", 2)]
    public void TwoListenersOnTheSamePortAndAddressAreAnError(string first, string second, int line)
    {
        var error = Conf.Single(Conf.Parse(first, second, "allow_anonymous true"), ConfigSeverity.Error);
        Assert.Equal(line, error.Line);
    }

    [Fact]
    public void TheSamePortOnDifferentAddressesIsFine()
    {
        Conf.NoDiagnostics(Conf.Parse("listener 1883 127.0.0.1", "listener 1883 ::1", "allow_anonymous true"));
    }

    [Theory]
    [InlineData("listener 0 /run/mosquitto.sock", "Unix socket")]
    [InlineData("listener 0", "Unix socket")]
    [InlineData("listener 65536", "not a port")]
    [InlineData("listener abc", "not a port")]
    [InlineData("listener -1", "not a port")]
    public void ListenersWeCannotOpenAreErrors(string line, string message)
    {
        var error = Conf.Single(Conf.Parse(line), ConfigSeverity.Error);
        Assert.Equal(("listener", 1), (error.Option, error.Line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("require_certificate true", "require_certificate")]
    [InlineData("certfile /c.pem", "certfile")]
    [InlineData("keyfile /k.pem", "keyfile")]
    public void IncompleteTlsSectionsAreErrorsAtTheOffendingLine(string option, string name)
    {
        var error = Conf.Single(Conf.Parse("listener 8883", "allow_anonymous true", option), ConfigSeverity.Error);
        Assert.Equal((name, 3), (error.Option, error.Line));
    }

    [Fact]
    public void CafileWithoutTlsIsOnlyAWarning()
    {
        var warning = Conf.Single(Conf.Parse("listener 1883", "allow_anonymous true", "cafile /ca.pem"), ConfigSeverity.Warning);
        Assert.Equal(("cafile", 3), (warning.Option, warning.Line));
    }

    [Fact]
    public void ARepeatedPortReplacesTheEarlierOneWithAWarning()
    {
        var config = Conf.Parse("port 1883", "port 1884", "allow_anonymous true");

        Assert.Equal([1884], config.Listeners.Select(l => l.Port));
        Assert.Equal(2, Conf.Single(config, ConfigSeverity.Warning).Line);
    }
}
