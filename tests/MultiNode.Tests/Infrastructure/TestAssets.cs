using System.Reflection;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>What the tests run: the silo and gateway builds, the dotnet host, the repository's scripts.</summary>
internal static class TestAssets
{
    /// <summary>mqtt-cluster-silo.dll as built by this project's reference to src/Silo (same configuration).</summary>
    public static string SiloAssembly => Existing(Metadata("SiloAssemblyPath"));

    /// <summary>mqtt-cluster-gateway.dll (the standalone gateway) as built by the reference to src/Gateway.</summary>
    public static string GatewayAssembly => Existing(Metadata("GatewayAssemblyPath"));

    /// <summary>The source tree these tests were built from (deploy/local/cluster.sh runs from there).</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>Debug or Release: the build of src/Silo next to these tests.</summary>
    public static string Configuration => Metadata("Configuration");

    /// <summary>The dotnet host running the tests, so the nodes run on the same runtime.</summary>
    public static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
            {
                return hostPath;
            }

            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }
    }

    private static string Existing(string path)
    {
        Assert.True(File.Exists(path), $"{path} does not exist; build with `dotnet test tests/MultiNode.Tests` (it builds src/Silo and src/Gateway).");
        return path;
    }

    private static string Metadata(string key) =>
        typeof(TestAssets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; it is written by MqttCluster.MultiNode.Tests.csproj.");
}
