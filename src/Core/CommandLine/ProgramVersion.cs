using System.Reflection;

namespace MqttCluster.Core.CommandLine;

/// <summary>
/// <c>--version</c> of every executable: its name and informational version, e.g. <c>mqtt-cluster-silo 0.1.0+1a2b3c4</c>
/// (the version from Directory.Build.props, the commit it was built from when the source tree had one).
/// </summary>
public static class ProgramVersion
{
    public const string Switch = "--version";

    public static bool IsRequested(IEnumerable<string> args) => args.Contains(Switch, StringComparer.Ordinal);

    public static string Describe(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var name = assembly.GetName();
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? name.Version?.ToString(3);
        return $"{name.Name} {version}";
    }
}
