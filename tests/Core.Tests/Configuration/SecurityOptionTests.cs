using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class SecurityOptionTests
{
    [Fact]
    public void GlobalSecurityOptionsApplyToEveryListenerWhereverTheyAre()
    {
        var config = Conf.Parse(
            "listener 1883",
            "password_file passwd",
            "acl_file /etc/mosquitto/acl",
            "listener 9001",
            "protocol websockets",
            "allow_anonymous false");

        Conf.NoDiagnostics(config);
        Assert.Equal("/etc/mosquitto/passwd", config.Security.PasswordFile);
        Assert.Equal("/etc/mosquitto/acl", config.Security.AclFile);
        Assert.All(config.Listeners, l => Assert.Same(config.Security, config.SecurityFor(l)));
        Assert.All(config.Listeners, l => Assert.False(config.AllowsAnonymous(l)));
    }

    [Fact]
    public void PerListenerSettingsGiveEachListenerItsOwnSecurity()
    {
        var config = Conf.Parse(
            "per_listener_settings true",
            "listener 1883 127.0.0.1",
            "allow_anonymous true",
            "listener 8883",
            "certfile /c.pem",
            "keyfile /k.pem",
            "password_file /etc/mosquitto/passwd",
            "acl_file /etc/mosquitto/acl");

        Conf.NoDiagnostics(config);
        var (local, tls) = (config.Listeners[0], config.Listeners[1]);
        Assert.True(config.AllowsAnonymous(local));
        Assert.Null(config.SecurityFor(local).PasswordFile);
        Assert.False(config.AllowsAnonymous(tls));
        Assert.Equal("/etc/mosquitto/passwd", config.SecurityFor(tls).PasswordFile);
        Assert.Null(config.Security.PasswordFile);
    }

    [Theory]
    [InlineData("allow_anonymous true")]
    [InlineData("password_file /etc/mosquitto/passwd")]
    [InlineData("acl_file /etc/mosquitto/acl")]
    public void WithPerListenerSettingsASecurityOptionBeforeAnyListenerIsAnError(string option)
    {
        var error = Conf.Single(Conf.Parse("per_listener_settings true", option, "listener 1883", "allow_anonymous true"), ConfigSeverity.Error);
        Assert.Equal((option.Split(' ')[0], 2), (error.Option, error.Line));
    }

    [Fact]
    public void PerListenerSettingsAfterASecurityOptionIsAnErrorAsInMosquitto()
    {
        var error = Conf.Single(Conf.Parse("allow_anonymous true", "per_listener_settings true"), ConfigSeverity.Error);
        Assert.Equal(("per_listener_settings", 2), (error.Option, error.Line));
        Assert.Contains(":1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PerListenerSettingsCannotBeTurnedOffAgain()
    {
        var config = Conf.Parse("per_listener_settings true", "per_listener_settings false");

        Assert.True(config.PerListenerSettings);
        Assert.Equal(2, Conf.Single(config, ConfigSeverity.Warning).Line);
    }

    [Fact]
    public void ASecondPasswordFileIsAnErrorAsInMosquitto()
    {
        var error = Conf.Single(Conf.Parse("password_file /a", "listener 1883", "password_file /b"), ConfigSeverity.Error);
        Assert.Equal(3, error.Line);
        Assert.Contains($"{Conf.MainFile}:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EachListenerMayHaveItsOwnPasswordFile()
    {
        Conf.NoErrors(Conf.Parse("per_listener_settings true", "listener 1883", "password_file /a", "listener 1884", "password_file /b"));
    }

    [Fact]
    public void ExplicitAllowAnonymousFalseIsHonouredEvenInLocalOnlyMode()
    {
        // Mosquitto 2 forces anonymous access on in local-only mode; refusing is the safer reading of the file.
        var config = Conf.Parse("allow_anonymous false");

        Assert.True(config.LocalOnly);
        Assert.False(config.AllowsAnonymous(config.Listeners[0]));
    }

    [Theory]
    [InlineData("allow_anonymous true")]
    [InlineData("allow_anonymous false")]
    [InlineData("password_file /etc/mosquitto/passwd")]
    public void NoAnonymousAccessHintWhenTheFileSaysHowClientsGetIn(string option)
    {
        Conf.NoDiagnostics(Conf.Parse("listener 1883", option));
    }

    [Fact]
    public void CertificateIdentityCountsAsAWayIn()
    {
        Conf.NoDiagnostics(Conf.Parse("listener 8883", "certfile /c", "keyfile /k", "cafile /ca", "require_certificate true", "use_identity_as_username true"));
    }

    [Fact]
    public void WithPerListenerSettingsTheAnonymousHintNamesEachListenerSection()
    {
        var config = Conf.Parse("per_listener_settings true", "listener 1883", "allow_anonymous true", "listener 9001", "protocol websockets");

        var hint = Conf.Single(config, ConfigSeverity.Warning);
        Assert.Equal(("allow_anonymous", 4), (hint.Option, hint.Line));
        Assert.Contains($"after {Conf.MainFile}:4", hint.Message, StringComparison.Ordinal);
    }
}
