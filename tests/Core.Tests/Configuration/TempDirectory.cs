namespace MqttCluster.Core.Tests.Configuration;

/// <summary>A fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() =>
        Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mqttcluster-conf-" + Guid.NewGuid().ToString("N"))).FullName;

    public string Path { get; }

    /// <summary>Writes <paramref name="lines"/> to a file relative to this directory and returns its full path.</summary>
    public string Write(string relativePath, params string[] lines)
    {
        var path = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
