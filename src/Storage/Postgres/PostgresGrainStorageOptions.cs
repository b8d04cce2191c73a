using Orleans.Storage;

namespace MqttCluster.Storage.Postgres;

/// <summary>Options for <see cref="PostgresGrainStorage"/>, one instance per named storage provider.</summary>
public sealed class PostgresGrainStorageOptions
{
    /// <summary>Npgsql connection string of the database prepared by <c>db init</c> (<see cref="PostgresSchema"/>),
    /// e.g. <c>Host=db;Port=5432;Database=mqtt;Username=mqtt;Password=...</c>. Pool and timeout settings in it apply.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Serializer for grain state; <c>null</c> (default) uses Orleans' binary, version-tolerant serializer,
    /// so state types need <c>[GenerateSerializer]</c>.</summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }
}
