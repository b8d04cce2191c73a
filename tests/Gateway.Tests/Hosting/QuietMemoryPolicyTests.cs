using MqttCluster.Silo.Hosting;

namespace MqttCluster.Gateway.Tests.Hosting;

/// <summary>When the single node hands memory back (<see cref="QuietMemoryTrim"/>): once per quiet period after load.</summary>
public sealed class QuietMemoryPolicyTests
{
    private const double Seconds = 2;
    private const long Quiet = (long)(QuietMemoryPolicy.QuietBytesPerSecond * Seconds) - 1;
    private const long Busy = (long)(QuietMemoryPolicy.QuietBytesPerSecond * Seconds) + 1;

    [Fact]
    public void The_first_quiet_interval_after_start_up_trims_once()
    {
        var policy = new QuietMemoryPolicy(100_000_000);

        Assert.True(policy.ShouldTrim(100_000_000 + Quiet, Seconds));
        Assert.False(policy.ShouldTrim(100_000_000 + (2 * Quiet), Seconds));
        Assert.False(policy.ShouldTrim(100_000_000 + (3 * Quiet), Seconds));
    }

    [Fact]
    public void A_busy_node_is_left_to_the_GC_and_trimmed_when_it_goes_quiet_again()
    {
        var policy = new QuietMemoryPolicy(0);
        Assert.True(policy.ShouldTrim(Quiet, Seconds));

        var allocated = Quiet;
        for (var i = 0; i < QuietMemoryPolicy.MinimumSecondsBetweenTrims / Seconds; i++)
        {
            allocated += Busy;
            Assert.False(policy.ShouldTrim(allocated, Seconds));
        }

        allocated += Quiet;
        Assert.True(policy.ShouldTrim(allocated, Seconds));
        allocated += Quiet;
        Assert.False(policy.ShouldTrim(allocated, Seconds));
    }

    [Fact]
    public void Load_that_comes_and_goes_trims_at_most_once_per_minimum_spacing()
    {
        var policy = new QuietMemoryPolicy(0);
        var allocated = 0L;
        var trims = 0;
        var checks = (int)(QuietMemoryPolicy.MinimumSecondsBetweenTrims / Seconds) * 3;
        for (var i = 0; i < checks; i++)
        {
            allocated += i % 2 == 0 ? Busy : Quiet;
            trims += policy.ShouldTrim(allocated, Seconds) ? 1 : 0;
        }

        Assert.Equal(3, trims);
    }

    [Fact]
    public void The_quiet_threshold_scales_with_the_interval()
    {
        var policy = new QuietMemoryPolicy(0);

        Assert.False(policy.ShouldTrim(Busy, Seconds));
        Assert.True(policy.ShouldTrim(Busy + Busy, Seconds * 2));
    }
}
