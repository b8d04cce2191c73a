namespace MqttCluster.Core.Configuration;

/// <summary>Which messages Mosquitto's <c>log_type</c> lines select; several lines add up.</summary>
[Flags]
public enum MosquittoLogTypes
{
    None = 0,
    Error = 1,
    Warning = 2,
    Notice = 4,
    Information = 8,
    Debug = 16,
    Subscribe = 32,
    Unsubscribe = 64,
    WebSockets = 128,
    Internal = 256,

    /// <summary>What Mosquitto logs when no <c>log_type</c> line is present.</summary>
    Default = Error | Warning | Notice | Information,
    All = Default | Debug | Subscribe | Unsubscribe | WebSockets | Internal,
}
