using System.Diagnostics;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>A monotonic clock shared by clients and tests, for measuring pauses across events.</summary>
public static class TestClock
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static TimeSpan Now => Clock.Elapsed;
}
