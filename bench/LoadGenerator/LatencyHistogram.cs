using System.Numerics;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// Latencies in microseconds, in buckets of about 1.6 % width (64 per power of two), so percentiles of millions
/// of messages cost a fixed few kilobytes. Not thread-safe: one per subscriber, merged at the end.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[SubBuckets * 60];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long microseconds)
    {
        var value = Math.Max(0, microseconds);
        _counts[BucketOf(value)]++;
        Count++;
        Max = Math.Max(Max, value);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The latency below which <paramref name="percent"/> % of the recorded ones are (0 when none).</summary>
    public long Percentile(double percent)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(Count * percent / 100.0);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Max, MidpointOf(i));
            }
        }

        return Max;
    }

    private static int BucketOf(long value)
    {
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var topBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        var shift = topBit - 6;
        return Math.Min(((shift + 1) * SubBuckets) + (int)(value >> shift) - SubBuckets, (SubBuckets * 60) - 1);
    }

    private static long MidpointOf(int bucket)
    {
        if (bucket < SubBuckets)
        {
            return bucket;
        }

        var shift = (bucket / SubBuckets) - 1;
        var low = (long)((bucket % SubBuckets) + SubBuckets) << shift;
        return low + ((1L << shift) / 2);
    }
}
