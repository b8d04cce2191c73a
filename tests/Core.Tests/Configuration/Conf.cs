using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

/// <summary>Parses configuration lines as if they were /etc/mosquitto/mosquitto.conf.</summary>
internal static class Conf
{
    public const string MainFile = "/etc/mosquitto/mosquitto.conf";

    public static MosquittoConfig Parse(params string[] lines) =>
        MosquittoConfigParser.ParseText(string.Join('\n', lines), MainFile);

    public static ConfigDiagnostic Single(MosquittoConfig config, ConfigSeverity severity) =>
        Assert.Single(config.Diagnostics, d => d.Severity == severity);

    public static IEnumerable<ConfigDiagnostic> Errors(MosquittoConfig config) =>
        config.Diagnostics.Where(d => d.Severity == ConfigSeverity.Error);

    /// <summary>Fails with the diagnostics in the message, which is what one needs to see when it fails.</summary>
    public static void NoDiagnostics(MosquittoConfig config) =>
        Assert.True(config.Diagnostics.Count == 0, string.Join('\n', config.Diagnostics));

    public static void NoErrors(MosquittoConfig config) =>
        Assert.False(config.HasErrors, string.Join('\n', config.Diagnostics));
}
