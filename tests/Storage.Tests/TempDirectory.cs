namespace MqttCluster.Storage.Tests;

/// <summary>A unique directory under the system temp directory, deleted on dispose. Not created here:
/// the storage must create it.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(
        System.IO.Path.GetTempPath(), "mqttcluster-storage-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
