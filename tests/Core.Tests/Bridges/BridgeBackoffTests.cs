using MqttCluster.Core.Bridges;

namespace MqttCluster.Core.Tests.Bridges;

/// <summary>Mosquitto's <c>restart_timeout</c>: a constant delay, or decorrelated jitter between base and cap.</summary>
public class BridgeBackoffTests
{
    [Fact]
    public void OneValueIsAConstantDelay()
    {
        var backoff = new BridgeBackoff(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), new Random(1));

        Assert.All(Enumerable.Range(0, 10).Select(_ => backoff.Next()), d => Assert.Equal(TimeSpan.FromSeconds(20), d));
    }

    [Fact]
    public void JitterStaysBetweenBaseAndCapAndGrowsAtMostThreefold()
    {
        var (first, cap) = (TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        var backoff = new BridgeBackoff(first, cap, new Random(42));
        var previous = first;
        for (var i = 0; i < 1000; i++)
        {
            var next = backoff.Next();
            Assert.InRange(next, first, cap);
            Assert.True(next <= previous * 3, $"{next} after {previous}");
            previous = next;
        }
    }

    [Fact]
    public void AResetStartsAgainFromTheBase()
    {
        var backoff = new BridgeBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), new Random(7));
        for (var i = 0; i < 20; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
    }
}
