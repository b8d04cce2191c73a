using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Which connection holds a session: its epoch, its <see cref="SessionPhase"/> and the gateway it is on. The session
/// grain owns one and changes it only through these transitions; a call naming an epoch that is over changes nothing
/// (<see cref="Holds"/>). After a re-activation the gateway is known by id only, and its endpoint is looked up in the
/// silo's route replica when first needed.
/// </summary>
internal sealed class SessionOwnership(RouteIndexReplica routes)
{
    private IGatewayObserver? _gateway;

    public SessionPhase Phase { get; private set; }

    public long Epoch { get; private set; }

    /// <summary>The gateway of the connection that holds the session; null while offline.</summary>
    public string? GatewayId { get; private set; }

    public bool IsOnline => Phase != SessionPhase.Offline;

    /// <summary>Whether the holding connection had taken the stored messages (what its hand-back means depends on it).</summary>
    public bool HasResumed => Phase is SessionPhase.Online or SessionPhase.GoingOffline;

    /// <summary>The holding connection's gateway, if the route replica knows it.</summary>
    public IGatewayObserver? Gateway => _gateway ??= GatewayId is null ? null : routes.FindGateway(GatewayId);

    /// <summary>Whether the connection of <paramref name="epoch"/> holds the session now.</summary>
    public bool Holds(long epoch) => epoch == Epoch && Phase != SessionPhase.Offline;

    /// <summary>Refuses a call of a connection that no longer holds the session (taken over or ended).</summary>
    public void EnsureHolds(long epoch, string clientId)
    {
        if (!Holds(epoch))
        {
            throw new InvalidOperationException($"Session '{clientId}' is owned by another connection now (phase {Phase}).");
        }
    }

    /// <summary>CONNECT: a new epoch, later than every earlier one also across re-activations (it starts from the
    /// clock, in microseconds).</summary>
    public long Claim(string gatewayId, IGatewayObserver gateway, long nowUnixMilliseconds)
    {
        Epoch = Math.Max(Epoch + 1, nowUnixMilliseconds * 1000);
        _gateway = gateway;
        GatewayId = gatewayId;
        Phase = SessionPhase.Connecting;
        return Epoch;
    }

    /// <summary>A re-activated session stored as online goes on serving that connection.</summary>
    public void Restore(string gatewayId, long epoch)
    {
        Phase = SessionPhase.Online;
        Epoch = epoch;
        GatewayId = gatewayId;
        _gateway = null;
    }

    /// <summary>The connection took the stored messages.</summary>
    public void Resumed() => Phase = SessionPhase.Online;

    /// <summary>At CONNECT: a session with nothing stored (<paramref name="nothingStored"/>) counts as resumed at
    /// once, as its resume would hand out nothing. Returns <paramref name="nothingStored"/>.</summary>
    public bool ResumedUnlessStored(bool nothingStored)
    {
        if (nothingStored)
        {
            Resumed();
        }

        return nothingStored;
    }

    /// <summary>The connection is ending or being replaced: the session queues from now on.</summary>
    public void StartQueueing()
    {
        if (Phase == SessionPhase.Online)
        {
            Phase = SessionPhase.GoingOffline;
        }
    }

    /// <summary>No connection holds the session any more; returns the gateway the last one was on.</summary>
    public string? Release()
    {
        var gatewayId = GatewayId;
        Phase = SessionPhase.Offline;
        _gateway = null;
        GatewayId = null;
        return gatewayId;
    }
}
