using Orleans.Storage;

namespace MqttCluster.Storage;

/// <summary>Options for <see cref="SqliteGrainStorage"/>, one instance per named storage provider.</summary>
public sealed class SqliteGrainStorageOptions
{
    /// <summary>Directory that holds the database file; relative paths resolve against the current directory.
    /// Created at silo start if missing.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Database file name inside <see cref="DataDirectory"/>.</summary>
    public string FileName { get; set; } = "broker.db";

    /// <summary>
    /// <c>false</c> (default): WAL with <c>synchronous=NORMAL</c>; a committed write survives a process crash but the
    /// last commits may be lost on power loss. <c>true</c>: <c>synchronous=FULL</c>, an fsync per commit, so commits
    /// also survive power loss (slower, noticeably so on SD cards).
    /// </summary>
    public bool SynchronousFull { get; set; }

    /// <summary>How long an operation waits for a lock held by another connection before failing.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Serializer for grain state; <c>null</c> (default) uses Orleans' binary, version-tolerant serializer,
    /// so state types need <c>[GenerateSerializer]</c>.</summary>
    public IGrainStorageSerializer? GrainStorageSerializer { get; set; }

    /// <summary>The full path of the database file.</summary>
    public string DatabasePath => Path.GetFullPath(Path.Combine(DataDirectory, FileName));
}
