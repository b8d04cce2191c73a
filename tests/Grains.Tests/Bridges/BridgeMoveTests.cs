using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Grains.Bridges;

namespace MqttCluster.Grains.Tests.Bridges;

/// <summary>
/// A bridge is one grain: it runs in one silo of the cluster, and when that silo stops it runs again in another
/// with the QoS 1/2 messages it had stored for its remote (here a remote that never answers, so they stay queued).
/// </summary>
public sealed class BridgeMoveTests : IAsyncLifetime
{
    private const string Name = "mover";
    private BrokerTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var bridge = new BridgeOptions
        {
            Name = Name,
            Addresses = [$"127.0.0.1:{ClosedPort().ToString(CultureInfo.InvariantCulture)}"],
            RemoteClientId = "mover-remote",
            Notifications = false,
            Topics = [new BridgeTopicOptions { Pattern = "#", Direction = BridgeDirection.Out, Qos = 1, LocalPrefix = "move/", RemotePrefix = "move/" }],
        };
        _cluster = await BrokerTestCluster.StartAsync(3, services: s => s.AddSingleton(new BridgeDefinitions([bridge])));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _cluster.DeleteData();
    }

    [Fact]
    public async Task WhenItsSiloStopsTheBridgeRunsInAnotherWithItsQueue()
    {
        var bridge = _cluster.Client.GetGrain<IBridgeGrain>(Name);
        var topic = _cluster.Client.GetGrain<ITopicGrain>("move/a");
        var before = await PollAsync(bridge, s => s.Address is not null, "the bridge to run");

        for (var i = 0; i < 10; i++)
        {
            // Returns once the bridge stored it: what a publisher's PUBACK waits for.
            await topic.PublishAsync([Messages.Create("move/a", $"m{i}")]);
        }

        Assert.Equal(10, (await bridge.GetStatusAsync()).Queued);
        var silo = _cluster.Cluster.Silos.Single(s => s.SiloAddress.ToString() == before.Silo);
        await _cluster.Cluster.StopSiloAsync(silo);

        var after = await PollAsync(bridge, s => s.Address is not null && s.Silo != before.Silo, "the bridge to run in another silo");
        Assert.Equal(10, after.Queued);

        // Topic grains still reach it (its routes and its grain reference stayed).
        await _cluster.Client.GetGrain<ITopicGrain>("move/b").PublishAsync([Messages.Create("move/b", "after the move")]);
        Assert.Equal(11, (await bridge.GetStatusAsync()).Queued);
    }

    /// <summary>Asks the bridge until <paramref name="condition"/> holds (its silo's keeper restarts it every 2 s).</summary>
    private static async Task<BridgeStatus> PollAsync(IBridgeGrain bridge, Func<BridgeStatus, bool> condition, string awaited)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await bridge.GetStatusAsync();
            if (condition(status))
            {
                return status;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after 30 s waiting for {awaited}; last status: {status}");
            }

            await Task.Delay(100);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
