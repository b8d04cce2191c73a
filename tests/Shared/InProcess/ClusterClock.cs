using Microsoft.Extensions.Time.Testing;

namespace MqttCluster.Tests.Shared;

/// <summary>
/// The fake clock of an in-process cluster, Orleans included. Orleans' own timers wait for a due time in a loop of
/// <c>Task.Delay</c> (<c>AsyncTimer.NextTick</c> through <c>TimeProviderExtensions.DelayUntilAsync</c>), and
/// <c>Task.Delay</c> counts whole milliseconds: with less than one left it returns at once, and the loop asks the
/// clock again. On a clock that only a test moves that loop ends only when the test moves it; but when
/// <see cref="FakeTimeProvider.Advance(TimeSpan)"/> completed the loop's previous wait, the loop runs on the advancing
/// thread, inside that call, and the test hangs at full CPU (seen with membership timers, whose due times carry a
/// random jitter). So while this clock advances, each reading made on the advancing thread (the timers' callbacks
/// and what they run inline) is 100 ns later than the one before, as a real clock moves between two readings, and
/// such a wait ends after at most 10 000 readings. The clock itself, and every other thread's reading, moves only as
/// the test moves it.
/// </summary>
public sealed class ClusterClock(DateTimeOffset start) : FakeTimeProvider(start)
{
    [ThreadStatic]
    private static ClusterClock? t_advancing;

    [ThreadStatic]
    private static long t_readings;

    /// <summary>Moves the clock forward by <paramref name="delta"/>, running the timers that fall due on the way.</summary>
    public new void Advance(TimeSpan delta)
    {
        // A timer's callback may advance the clock again (a test's continuation run inline): the outer call resets.
        var outer = t_advancing;
        t_advancing = this;
        try
        {
            base.Advance(delta);
        }
        finally
        {
            t_advancing = outer;
            if (outer is null)
            {
                t_readings = 0;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        var now = base.GetUtcNow();
        return ReferenceEquals(t_advancing, this) ? now + TimeSpan.FromTicks(++t_readings) : now;
    }
}
