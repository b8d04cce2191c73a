using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Connections;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>Looks at the broker's state where no MQTT packet tells it.</summary>
public static class BrokerProbes
{
    /// <summary>
    /// Waits until the gateway holds exactly <paramref name="count"/> connections. A connection leaves only after
    /// it handed its session back to the session grain, so afterwards the session is offline (queueing, its will
    /// and expiry timers set). Tests of one class run one after another, so the count is the test's own.
    /// </summary>
    public static Task WaitForConnectionsAsync(this BrokerFixture broker, int count)
    {
        var clients = broker.Services.GetRequiredService<ConnectedClients>();
        return Within.PollAsync(
            () => Task.FromResult(clients.Count == count),
            $"the broker to hold {count} connection(s) (closed sessions handed back), it holds {clients.Count}",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(10));
    }
}
