using System.Reflection;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Where the things the tests run live: the broker's build output, the dotnet host, the MQTT.js client.</summary>
internal static class TestAssets
{
    /// <summary>mqtt-cluster-silo.dll as built by this test project's reference to src/Silo (same configuration).</summary>
    public static string SiloAssembly
    {
        get
        {
            var path = Metadata("SiloAssemblyPath");
            Assert.True(File.Exists(path), $"The broker assembly {path} does not exist; build with `dotnet test tests/EndToEnd.Tests` (it builds src/Silo).");
            return path;
        }
    }

    /// <summary>mqtt-cluster-gateway.dll, the standalone gateway, built next to the silo (src/Silo references it).</summary>
    public static string GatewayAssembly => Existing(Path.Combine(Path.GetDirectoryName(SiloAssembly)!, "mqtt-cluster-gateway.dll"));

    /// <summary>mqtt-cluster-passwd.dll as built by this test project's reference to src/Passwd.</summary>
    public static string PasswdAssembly => Existing(Metadata("PasswdAssemblyPath"));

    /// <summary>The source tree these tests were built from.</summary>
    public static string RepositoryRoot => Metadata("RepositoryRoot");

    /// <summary>tests/EndToEnd.Tests/js in the source tree (node_modules comes from `npm ci` there).</summary>
    public static string MqttJsDirectory => Metadata("MqttJsDirectory");

    /// <summary>The dotnet host running the tests, so the broker runs on the same runtime.</summary>
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
        Assert.True(File.Exists(path), $"{path} does not exist; build with `dotnet test tests/EndToEnd.Tests`.");
        return path;
    }

    private static string Metadata(string key) =>
        typeof(TestAssets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing; it is written by MqttCluster.EndToEnd.Tests.csproj.");
}
