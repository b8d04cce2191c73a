namespace MqttCluster.Core.Bridges;

/// <summary>
/// The pause before a bridge tries its remote again, as Mosquitto's <c>restart_timeout base cap</c> describes it:
/// "decorrelated jitter", each pause drawn between the base and three times the previous one, never above the cap.
/// With base = cap it is a constant delay. A successful connection starts again from the base.
/// </summary>
public sealed class BridgeBackoff
{
    private readonly TimeSpan _base;
    private readonly TimeSpan _cap;
    private readonly Random _random;
    private TimeSpan _previous;

    public BridgeBackoff(TimeSpan baseDelay, TimeSpan cap, Random random)
    {
        (_base, _cap, _random, _previous) = (baseDelay, cap, random, baseDelay);
    }

    public TimeSpan Next()
    {
        if (_cap <= _base)
        {
            return _base;
        }

        var upper = Math.Min(_cap.TotalMilliseconds, _previous.TotalMilliseconds * 3);
        var next = TimeSpan.FromMilliseconds(_base.TotalMilliseconds + (_random.NextDouble() * (upper - _base.TotalMilliseconds)));
        _previous = next;
        return next;
    }

    public void Reset() => _previous = _base;
}
