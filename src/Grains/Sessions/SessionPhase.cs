namespace MqttCluster.Grains.Sessions;

/// <summary>Where a session stands with its connections; each grain call is one transition between these.</summary>
internal enum SessionPhase
{
    /// <summary>No connection holds the session: a persistent one queues what its offline routes bring.</summary>
    Offline,

    /// <summary>A connection holds the session and has not taken the stored messages yet: the session queues
    /// meanwhile, so nothing falls between the offline routes and the connection's own.</summary>
    Connecting,

    /// <summary>The connection took the stored messages and receives everything through its own routes.</summary>
    Online,

    /// <summary>The connection that had taken the stored messages is ending (going offline, or being taken over):
    /// the session queues again before the connection's routes go.</summary>
    GoingOffline,
}
