namespace MqttCluster.Silo.Hosting;

/// <summary>
/// When to hand memory back to the operating system: when the node has gone quiet (it allocated less than
/// <see cref="QuietBytesPerSecond"/> over a whole check interval) after it was busy, and its resident memory grew by
/// more than <see cref="GrowthBytes"/> since the last trim. A node that stays busy is left to the GC's own pace; a
/// node that stays quiet, or whose load comes and goes without its memory growing, is not trimmed again (a trim is a
/// blocking full GC).
/// </summary>
/// <param name="totalAllocatedBytes">The process's total allocated bytes when watching starts: start-up counts as
/// load and as growth, so the first quiet interval after it trims once.</param>
public sealed class QuietMemoryPolicy(long totalAllocatedBytes)
{
    /// <summary>
    /// An idle node, with or without idle connections, allocates little (timers, telemetry); traffic or connections
    /// coming and going allocate megabytes per second.
    /// </summary>
    public const long QuietBytesPerSecond = 256 * 1024;

    /// <summary>Less than this is not worth a full GC.</summary>
    public const long GrowthBytes = 16 * 1024 * 1024;

    private long _lastAllocated = totalAllocatedBytes;
    private long _residentAfterTrim;
    private bool _busySinceTrim = true;

    /// <summary>
    /// Takes the process's total allocated bytes and resident memory at a check <paramref name="seconds"/> after the
    /// previous one; true when memory should be trimmed now (then tell <see cref="Trimmed"/> what remained).
    /// </summary>
    public bool ShouldTrim(long totalAllocatedBytes, long residentBytes, double seconds)
    {
        var previous = _lastAllocated;
        _lastAllocated = totalAllocatedBytes;
        if (totalAllocatedBytes - previous > QuietBytesPerSecond * seconds)
        {
            _busySinceTrim = true;
            return false;
        }

        var wasBusy = _busySinceTrim;
        _busySinceTrim = false;
        return wasBusy && residentBytes > _residentAfterTrim + GrowthBytes;
    }

    /// <summary>The resident memory after a trim: the level later growth is measured from.</summary>
    public void Trimmed(long residentBytes) => _residentAfterTrim = residentBytes;
}
