using System.Reflection;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>Files of the repository the deployment tests read (the source tree, not the build output).</summary>
internal static class Repository
{
    public static string Root { get; } =
        typeof(Repository).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string PathOf(string relative) => Path.GetFullPath(Path.Combine(Root, relative));

    public static string Read(string relative)
    {
        var path = PathOf(relative);
        Assert.True(File.Exists(path), $"{relative} does not exist");
        return File.ReadAllText(path);
    }

    /// <summary>Files below a folder, by pattern, as repository-relative paths with '/'.</summary>
    public static IReadOnlyList<string> Files(string folder, string pattern) =>
        Directory.GetFiles(PathOf(folder), pattern)
            .Select(p => Path.GetRelativePath(Root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
