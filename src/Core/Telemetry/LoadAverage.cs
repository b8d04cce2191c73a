namespace MqttCluster.Core.Telemetry;

/// <summary>
/// Mosquitto's <c>$SYS/broker/load/...</c> averages of one running counter: the rate per minute since the last
/// update, folded into exponentially decaying averages over 1, 5 and 15 minutes (as the Unix load average).
/// </summary>
public sealed class LoadAverage
{
    private long _lastValue;
    private DateTimeOffset _lastUpdate;
    private bool _started;

    public double OneMinute { get; private set; }

    public double FiveMinutes { get; private set; }

    public double FifteenMinutes { get; private set; }

    /// <summary>Takes the counter's value at <paramref name="now"/>; the first call only sets the baseline.</summary>
    public void Update(long value, DateTimeOffset now)
    {
        if (!_started)
        {
            (_lastValue, _lastUpdate, _started) = (value, now, true);
            return;
        }

        var seconds = (now - _lastUpdate).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        // A counter that went backwards belongs to a restarted source: count nothing for this step.
        var perMinute = Math.Max(0, value - _lastValue) * 60.0 / seconds;
        OneMinute = Decay(OneMinute, perMinute, seconds, 1);
        FiveMinutes = Decay(FiveMinutes, perMinute, seconds, 5);
        FifteenMinutes = Decay(FifteenMinutes, perMinute, seconds, 15);
        (_lastValue, _lastUpdate) = (value, now);
    }

    private static double Decay(double average, double perMinute, double seconds, int minutes)
    {
        var weight = Math.Exp(-seconds / (60.0 * minutes));
        return (weight * average) + ((1 - weight) * perMinute);
    }
}
