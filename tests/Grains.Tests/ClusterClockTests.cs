using Microsoft.Extensions.Time.Testing;

namespace MqttCluster.Grains.Tests;

/// <summary>
/// The in-process clusters' fake clock lets a wait in whole-millisecond <c>Task.Delay</c> steps for a due time that is
/// not on the millisecond grid end, as Orleans' own timers wait (<see cref="ClusterClock"/>).
/// </summary>
public sealed class ClusterClockTests
{
    private static readonly TimeSpan Due = TimeSpan.FromMilliseconds(2.5);

    [Fact]
    public async Task A_wait_for_a_due_time_off_the_millisecond_grid_ends_when_the_clock_passes_it()
    {
        var clock = new ClusterClock(DateTimeOffset.UtcNow);
        var waited = WaitOffContextAsync(clock, clock.GetUtcNow() + Due);

        // The 2 ms delay completes inside Advance, which leaves 0.5 ms: the next Task.Delay returns at once.
        await Task.Run(() => clock.Advance(TimeSpan.FromMilliseconds(2))).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(waited.IsCompletedSuccessfully);
        Assert.Equal(TimeSpan.FromMilliseconds(2), clock.GetUtcNow() - clock.Start);
    }

    [Fact]
    public async Task A_plain_fake_clock_spins_in_that_wait_inside_advance()
    {
        // What ClusterClock is for: on FakeTimeProvider the same wait never ends, and Advance never returns.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var stop = new CancellationTokenSource();
        _ = WaitOffContextAsync(clock, clock.GetUtcNow() + Due, stop.Token);

        var advance = Task.Run(() => clock.Advance(TimeSpan.FromMilliseconds(2)));
        await Task.WhenAny(advance, Task.Delay(TimeSpan.FromSeconds(1)));

        Assert.False(advance.IsCompleted);
        await stop.CancelAsync();
        await advance.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Started without the test's synchronization context, as Orleans' runtime code runs, so the wait's
    /// continuations run on the thread that completes its delay.</summary>
    private static Task WaitOffContextAsync(TimeProvider clock, DateTimeOffset due, CancellationToken cancellationToken = default)
    {
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            // Runs to its first delay here, so that delay is waiting before the test advances the clock.
            return WaitUntilAsync(clock, due, cancellationToken);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>The loop of Orleans' <c>TimeProviderExtensions.DelayUntilAsync</c> (internal there).</summary>
    private static async Task WaitUntilAsync(TimeProvider clock, DateTimeOffset due, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = due - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            await Task.Delay(remaining, clock, cancellationToken);
        }
    }
}
