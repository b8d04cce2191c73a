using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>The span of <see cref="Stopwatch"/> time whose deliveries count for rate and latency (after the warm-up).</summary>
public sealed class MeasurementWindow(long start, long end)
{
    /// <summary>A window covering the whole run (message-count runs have no warm-up).</summary>
    public static MeasurementWindow Always { get; } = new(long.MinValue, long.MaxValue);

    public long Start { get; } = start;

    public long End { get; } = end;

    public bool Contains(long timestamp) => timestamp >= Start && timestamp < End;
}
