namespace MqttCluster.Gateway.Connections;

/// <summary>
/// A token bucket for one client's PUBLISH packets: bursts up to one second's worth, then the sustained rate.
/// Returns how long the reader should pause, so a fast publisher is slowed by TCP back-pressure, not cut off.
/// Used only by the connection's read loop.
/// </summary>
internal sealed class PublishRateLimiter(int ratePerSecond, TimeProvider timeProvider)
{
    private double _tokens = ratePerSecond;
    private long _last = timeProvider.GetTimestamp();

    public TimeSpan Take()
    {
        var now = timeProvider.GetTimestamp();
        _tokens = Math.Min(ratePerSecond, _tokens + (timeProvider.GetElapsedTime(_last, now).TotalSeconds * ratePerSecond));
        _last = now;
        _tokens -= 1;
        return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / ratePerSecond);
    }
}
