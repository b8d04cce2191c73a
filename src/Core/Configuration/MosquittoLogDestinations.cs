namespace MqttCluster.Core.Configuration;

/// <summary>Where Mosquitto's <c>log_dest</c> lines send the log; several lines add up.</summary>
[Flags]
public enum MosquittoLogDestinations
{
    /// <summary><c>log_dest none</c>: no logging.</summary>
    None = 0,
    Stdout = 1,

    /// <summary>The default when no <c>log_dest</c> line is present.</summary>
    Stderr = 2,
    Syslog = 4,

    /// <summary>Published under <c>$SYS/broker/log/...</c>.</summary>
    Topic = 8,

    /// <summary><c>log_dest file PATH</c>; the path is in <see cref="MosquittoConfig.LogFile"/>.</summary>
    File = 16,
}
