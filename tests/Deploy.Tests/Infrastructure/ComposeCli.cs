namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// The Compose command line found on this machine: the Docker CLI's compose plugin (v2), else the standalone
/// docker-compose (v1, Debian 12's package), which validates the same file once the v2-only top-level 'name' is
/// left out. Neither needs a Docker engine for 'config'.
/// </summary>
internal static class ComposeCli
{
    private static readonly Lazy<(string FileName, string[] Prefix, bool IsV1)?> Found = new(Find);

    public static (string FileName, string[] Prefix, bool IsV1)? Command => Found.Value;

    private static (string, string[], bool)? Find()
    {
        if (Tool.Exists("docker") && Tool.Run("docker", ["compose", "version"]).ExitCode == 0)
        {
            return ("docker", ["compose"], false);
        }

        return Tool.Exists("docker-compose") ? ("docker-compose", [], true) : null;
    }
}
