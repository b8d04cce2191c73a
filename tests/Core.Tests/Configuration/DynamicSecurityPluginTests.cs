using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

/// <summary>Mosquitto's dynamic-security plugin lines, as its documentation has users write them.</summary>
public class DynamicSecurityPluginTests
{
    [Fact]
    public void ThePluginAndItsConfigFileTurnDynamicSecurityOn()
    {
        var config = Conf.Parse(
            "listener 1883",
            "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
            "plugin_opt_config_file /var/lib/mosquitto/dynamic-security.json");

        Conf.NoDiagnostics(config);
        Assert.True(config.Security.DynamicSecurity);
        Assert.Equal("/var/lib/mosquitto/dynamic-security.json", config.Security.DynamicSecurityFile);
    }

    [Fact]
    public void ARelativeConfigFileIsRelativeToTheConfigurationFile()
    {
        var config = Conf.Parse("plugin /usr/lib/mosquitto_dynamic_security.so", "plugin_opt_config_file dynsec.json");

        Assert.Equal("/etc/mosquitto/dynsec.json", config.Security.DynamicSecurityFile);
    }

    [Fact]
    public void PerListenerSettingsGiveTheListenerThePlugin()
    {
        var config = Conf.Parse(
            "per_listener_settings true",
            "listener 1883",
            "plugin /usr/lib/mosquitto_dynamic_security.so",
            "plugin_opt_config_file /d.json");

        Conf.NoErrors(config);
        Assert.Equal("/d.json", config.SecurityFor(config.Listeners[0]).DynamicSecurityFile);
    }

    [Fact]
    public void AnotherPluginIsStillRefused() =>
        Assert.Contains("not supported", Conf.Single(Conf.Parse("plugin /usr/lib/mosquitto_auth.so"), ConfigSeverity.Error).Message, StringComparison.Ordinal);

    [Fact]
    public void OtherOptionsOfThePluginAreIgnoredWithAWarning() =>
        Conf.Single(Conf.Parse("plugin /usr/lib/mosquitto_dynamic_security.so", "plugin_opt_config_file /d.json", "plugin_opt_other x"), ConfigSeverity.Warning);

    [Fact]
    public void ThePluginStandsInForAPasswordFileInTheAnonymousAccessHint() =>
        Conf.NoDiagnostics(Conf.Parse("listener 1883", "plugin /usr/lib/mosquitto_dynamic_security.so", "plugin_opt_config_file /d.json"));
}
