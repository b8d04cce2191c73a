namespace MqttCluster.Grains;

/// <summary>The one grain storage name all broker state is kept under (embedded SQLite or PostgreSQL).</summary>
public static class StorageNames
{
    public const string Broker = "mqtt";
}
