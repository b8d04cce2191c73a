using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests;

/// <summary>
/// The <see cref="KeepAliveSweep"/> on a fake clock: a target is checked when it said it would be due, never later,
/// and not on every tick; one that closed or was forgotten is not checked again, even when it is forgotten while its
/// check runs. A probe target that asks for a check on every tick tells the test when a tick has been processed.
/// </summary>
public sealed class KeepAliveSweepTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UnixEpoch);
    private readonly KeepAliveSweep _sweep;
    private readonly Target _probe;

    public KeepAliveSweepTests()
    {
        _sweep = new KeepAliveSweep(_clock);
        _probe = new Target(_clock, _ => TimeSpan.Zero);
    }

    public async Task InitializeAsync()
    {
        await _sweep.StartAsync(CancellationToken.None);
        _sweep.Watch(_probe);

        // The service runs ExecuteAsync on the thread pool: its timer on the fake clock exists only once that has
        // started, so the clock is moved until the sweep has processed a tick.
        await Within.PollAsync(
            () =>
            {
                _clock.Advance(KeepAliveSweep.Period);
                return Task.FromResult(_probe.Checks.Count > 0);
            },
            "the sweep to start ticking",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(20));
    }

    public async Task DisposeAsync()
    {
        await _sweep.StopAsync(CancellationToken.None);
        _sweep.Dispose();
    }

    [Fact]
    public async Task A_target_is_checked_when_it_is_due_and_not_on_every_tick()
    {
        // A client that keeps sending: every check finds it 30 s from its limit.
        var target = new Target(_clock, _ => TimeSpan.FromSeconds(30));
        _sweep.Watch(target);

        await RunForAsync(TimeSpan.FromSeconds(61));

        // Checked about every 30 s, not 122 times: never later than asked, and early by less than one coarse slot
        // (16 ticks, 8 s).
        Assert.InRange(target.Checks.Count, 3, 5);
        foreach (var (previous, next) in target.Checks.Skip(1).Zip(target.Checks.Skip(2)))
        {
            Assert.InRange(next - previous, TimeSpan.FromSeconds(22), TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_target_far_ahead_is_checked_early_never_late_and_only_a_few_times()
    {
        // Each check asks for the time left until a fixed limit, as a silent client's keep-alive does, and the
        // target closes once the limit has come.
        var limit = _clock.GetUtcNow() + TimeSpan.FromSeconds(300);
        var target = new Target(_clock, now => now >= limit ? null : limit - now);
        _sweep.Watch(target);

        await RunForAsync(TimeSpan.FromSeconds(301));

        Assert.All(target.Checks, at => Assert.True(at <= limit, $"checked at {at:O}, after the limit {limit:O}"));
        Assert.Contains(target.Checks, at => limit - at <= KeepAliveSweep.Period);
        Assert.InRange(target.Checks.Count, 2, 6);
    }

    [Fact]
    public async Task A_target_that_closed_is_not_checked_again()
    {
        var target = new Target(_clock, _ => null);
        _sweep.Watch(target);

        await RunForAsync(TimeSpan.FromSeconds(10));

        Assert.Single(target.Checks);
    }

    [Fact]
    public async Task A_forgotten_target_is_not_checked_again_even_when_forgotten_during_its_check()
    {
        var forgotten = new Target(_clock, _ => TimeSpan.FromSeconds(1));
        Target? selfForgetting = null;
        selfForgetting = new Target(_clock, _ =>
        {
            // Its read side ends while the sweep checks it: the check still says "again in 1 s".
            _sweep.Forget(selfForgetting!);
            return TimeSpan.FromSeconds(1);
        });
        _sweep.Watch(forgotten);
        _sweep.Watch(selfForgetting);

        await RunForAsync(TimeSpan.FromSeconds(1));
        _sweep.Forget(forgotten);
        var checkedBefore = forgotten.Checks.Count;
        await RunForAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(checkedBefore, forgotten.Checks.Count);
        Assert.Single(selfForgetting.Checks);
    }

    /// <summary>Moves the clock tick by tick and waits until the sweep processed each tick.</summary>
    private async Task RunForAsync(TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += KeepAliveSweep.Period)
        {
            var probed = _probe.Checks.Count;
            _clock.Advance(KeepAliveSweep.Period);
            await Within.PollAsync(
                () => Task.FromResult(_probe.Checks.Count > probed),
                "the sweep to process a tick",
                Within.DefaultTimeout,
                TimeSpan.FromMilliseconds(1));
        }

        // The probe's check can come before the others of the same tick: one more tick makes sure they ran.
        var last = _probe.Checks.Count;
        _clock.Advance(KeepAliveSweep.Period);
        await Within.PollAsync(() => Task.FromResult(_probe.Checks.Count > last), "the sweep to process a tick", Within.DefaultTimeout, TimeSpan.FromMilliseconds(1));
    }

    private sealed class Target(TimeProvider clock, Func<DateTimeOffset, TimeSpan?> answer) : IKeepAliveTarget
    {
        private readonly ConcurrentQueue<DateTimeOffset> _checks = new();

        public IReadOnlyList<DateTimeOffset> Checks => [.. _checks];

        public TimeSpan? CloseIfUnresponsive()
        {
            var now = clock.GetUtcNow();
            _checks.Enqueue(now);
            return answer(now);
        }
    }
}
