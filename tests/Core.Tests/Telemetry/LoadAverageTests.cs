using MqttCluster.Core.Telemetry;

namespace MqttCluster.Core.Tests.Telemetry;

public sealed class LoadAverageTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_first_value_is_only_the_baseline()
    {
        var load = new LoadAverage();
        load.Update(1_000_000, Start);

        Assert.Equal(0, load.OneMinute);
    }

    [Fact]
    public void A_steady_rate_is_approached_fastest_by_the_one_minute_average()
    {
        var load = new LoadAverage();
        load.Update(0, Start);

        // 10 messages every 10 seconds = 60 per minute, for 5 minutes.
        for (var step = 1; step <= 30; step++)
        {
            load.Update(step * 10, Start.AddSeconds(step * 10));
        }

        Assert.InRange(load.OneMinute, 59.0, 60.0);
        Assert.True(load.OneMinute > load.FiveMinutes && load.FiveMinutes > load.FifteenMinutes);
        Assert.InRange(load.FiveMinutes, 60 * (1 - Math.Exp(-1)) - 0.01, 60 * (1 - Math.Exp(-1)) + 0.01);
    }

    [Fact]
    public void A_counter_that_went_backwards_adds_nothing()
    {
        var load = new LoadAverage();
        load.Update(500, Start);
        load.Update(10, Start.AddSeconds(10));

        Assert.Equal(0, load.OneMinute);
    }
}
