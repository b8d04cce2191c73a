namespace MqttCluster.Silo.Hosting;

/// <summary>
/// When to hand memory back to the operating system: once the node has gone quiet (it allocated less than
/// <see cref="QuietBytesPerSecond"/> over a whole check interval) after it was busy. A node that stays busy is left
/// to the GC's own pace, a node that stays quiet is trimmed once, not at every check, and one whose load comes and
/// goes at most every <see cref="MinimumSecondsBetweenTrims"/> (a trim is a blocking full GC).
/// </summary>
/// <param name="totalAllocatedBytes">The process's total allocated bytes when watching starts; what was allocated
/// before counts as load, so the first quiet interval after start-up trims what start-up left behind.</param>
public sealed class QuietMemoryPolicy(long totalAllocatedBytes)
{
    /// <summary>
    /// An idle node, with or without idle connections, allocates little (timers, telemetry); traffic or connections
    /// coming and going allocate megabytes per second.
    /// </summary>
    public const long QuietBytesPerSecond = 256 * 1024;

    public const double MinimumSecondsBetweenTrims = 30;

    private long _lastAllocated = totalAllocatedBytes;
    private bool _busySinceTrim = true;
    private double _secondsSinceTrim = MinimumSecondsBetweenTrims;

    /// <summary>
    /// Takes the process's total allocated bytes at a check <paramref name="seconds"/> after the previous one; true
    /// when memory should be trimmed now.
    /// </summary>
    public bool ShouldTrim(long totalAllocatedBytes, double seconds)
    {
        var previous = _lastAllocated;
        _lastAllocated = totalAllocatedBytes;
        _secondsSinceTrim += seconds;
        if (totalAllocatedBytes - previous > QuietBytesPerSecond * seconds)
        {
            _busySinceTrim = true;
            return false;
        }

        if (!_busySinceTrim || _secondsSinceTrim < MinimumSecondsBetweenTrims)
        {
            return false;
        }

        _busySinceTrim = false;
        _secondsSinceTrim = 0;
        return true;
    }
}
