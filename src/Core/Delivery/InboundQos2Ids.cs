namespace MqttCluster.Core.Delivery;

/// <summary>
/// The packet ids of QoS 2 PUBLISH packets a session accepted from its client and not yet released by PUBREL
/// [MQTT-4.3.3-10]: a repeated PUBLISH with such an id is acknowledged again but not forwarded. The set outlives a
/// connection in a persistent session. Thread-safe: the read loop accepts and releases, the forwarder refuses.
/// </summary>
public sealed class InboundQos2Ids
{
    private readonly Lock _lock = new();
    // Both created on first use: most connections never publish at QoS 2.
    private HashSet<ushort>? _accepted;

    /// <summary>Ids taken over from the session's previous connection: their PUBLISH counted against that
    /// connection's receive maximum, not this one's (4.9).</summary>
    private HashSet<ushort>? _restored;

    /// <summary>False when the id was accepted already: the PUBLISH is a re-send.</summary>
    public bool TryAccept(ushort packetId)
    {
        lock (_lock)
        {
            return (_accepted ??= []).Add(packetId);
        }
    }

    /// <summary>The PUBLISH was not taken (refused by the cluster or the ACL): a re-send with the id is new.</summary>
    public void Forget(ushort packetId)
    {
        lock (_lock)
        {
            _accepted?.Remove(packetId);
        }
    }

    /// <summary>PUBREL: the flow of <paramref name="packetId"/> ends. <c>Counted</c>: it was accepted on this
    /// connection, so it counted against this connection's receive maximum.</summary>
    public (bool Known, bool Counted) Release(ushort packetId)
    {
        lock (_lock)
        {
            var known = _accepted?.Remove(packetId) ?? false;
            return (known, known && !(_restored?.Remove(packetId) ?? false));
        }
    }

    /// <summary>Takes over the ids a resumed session's previous connection had accepted.</summary>
    public void Restore(IEnumerable<ushort> packetIds)
    {
        lock (_lock)
        {
            foreach (var packetId in packetIds)
            {
                (_accepted ??= []).Add(packetId);
                (_restored ??= []).Add(packetId);
            }
        }
    }

    /// <summary>The ids accepted and not released, for the session to keep.</summary>
    public ushort[] Snapshot()
    {
        lock (_lock)
        {
            return _accepted is null ? [] : [.. _accepted];
        }
    }
}
