using MqttCluster.Silo.Hosting;

namespace MqttCluster.Gateway.Tests.Hosting;

/// <summary>
/// When the single node hands memory back (<see cref="QuietMemoryTrim"/>): once it goes quiet after load that left
/// its resident memory grown, not again while it stays quiet or while load comes and goes without growth.
/// </summary>
public sealed class QuietMemoryPolicyTests
{
    private const double Seconds = 2;
    private const long Quiet = (long)(QuietMemoryPolicy.QuietBytesPerSecond * Seconds) - 1;
    private const long Busy = (long)(QuietMemoryPolicy.QuietBytesPerSecond * Seconds) + 1;
    private const long Idle = 100 << 20;
    private const long Grown = Idle + QuietMemoryPolicy.GrowthBytes + 1;

    [Fact]
    public void The_first_quiet_interval_after_start_up_trims_once()
    {
        var policy = new QuietMemoryPolicy(0);

        Assert.True(policy.ShouldTrim(Quiet, Idle, Seconds));
        policy.Trimmed(Idle);
        Assert.False(policy.ShouldTrim(2 * Quiet, Idle, Seconds));
        Assert.False(policy.ShouldTrim(3 * Quiet, Grown, Seconds));
    }

    [Fact]
    public void Start_up_is_load_the_node_is_not_trimmed_while_it_lasts()
    {
        var policy = new QuietMemoryPolicy(0);

        Assert.False(policy.ShouldTrim(Busy, Idle, Seconds));
        Assert.True(policy.ShouldTrim(Busy + Quiet, Idle, Seconds));
    }

    [Fact]
    public void A_busy_node_is_left_to_the_GC_and_trimmed_when_it_goes_quiet_with_its_memory_grown()
    {
        var policy = new QuietMemoryPolicy(0);
        Assert.True(policy.ShouldTrim(Quiet, Idle, Seconds));
        policy.Trimmed(Idle);
        var allocated = Quiet;
        for (var i = 0; i < 10; i++)
        {
            allocated += Busy;
            Assert.False(policy.ShouldTrim(allocated, Grown, Seconds));
        }

        allocated += Quiet;
        Assert.True(policy.ShouldTrim(allocated, Grown, Seconds));
    }

    [Fact]
    public void Load_that_comes_and_goes_without_growing_memory_is_not_trimmed()
    {
        var policy = new QuietMemoryPolicy(0);
        Assert.True(policy.ShouldTrim(Quiet, Idle, Seconds));
        policy.Trimmed(Idle);
        var allocated = Quiet;
        for (var i = 0; i < 20; i++)
        {
            allocated += i % 2 == 0 ? Busy : Quiet;
            Assert.False(policy.ShouldTrim(allocated, Idle + QuietMemoryPolicy.GrowthBytes, Seconds));
        }
    }

    [Fact]
    public void Growth_is_measured_from_what_remained_after_the_last_trim()
    {
        var policy = new QuietMemoryPolicy(0);
        Assert.True(policy.ShouldTrim(Quiet, Grown, Seconds));
        policy.Trimmed(Grown);

        Assert.False(policy.ShouldTrim(Quiet + Busy, Grown + 1, Seconds));
        Assert.False(policy.ShouldTrim(2 * Quiet + Busy, Grown + 1, Seconds));
        Assert.False(policy.ShouldTrim(2 * (Quiet + Busy), Grown + QuietMemoryPolicy.GrowthBytes + 1, Seconds));
        Assert.True(policy.ShouldTrim((3 * Quiet) + (2 * Busy), Grown + QuietMemoryPolicy.GrowthBytes + 1, Seconds));
    }

    [Fact]
    public void The_quiet_threshold_scales_with_the_interval()
    {
        var policy = new QuietMemoryPolicy(0);

        Assert.False(policy.ShouldTrim(Busy, Grown, Seconds));
        Assert.True(policy.ShouldTrim(Busy + Busy, Grown, Seconds * 2));
    }
}
