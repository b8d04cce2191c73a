namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The packet identifiers the bridge's client session uses towards the remote: a new PUBLISH (QoS 1/2), SUBSCRIBE or
/// UNSUBSCRIBE takes one not in use [MQTT-2.3.1-2], and it is free again once the exchange is complete. Used on the
/// grain's scheduler only.
/// </summary>
internal sealed class BridgePacketIds
{
    private readonly HashSet<ushort> _inUse = [];
    private ushort _last;

    public int InUse => _inUse.Count;

    /// <summary>An identifier not in use, now taken; the one after the last taken where possible.</summary>
    public ushort Take()
    {
        if (_inUse.Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("all 65535 packet identifiers are in use");
        }

        do
        {
            _last = _last == ushort.MaxValue ? (ushort)1 : (ushort)(_last + 1);
        }
        while (!_inUse.Add(_last));

        return _last;
    }

    /// <summary>Marks an identifier kept from before (a stored in-flight message) as in use.</summary>
    public void Keep(ushort id) => _inUse.Add(id);

    public void Release(ushort id) => _inUse.Remove(id);

    public void Clear() => _inUse.Clear();
}
