namespace MqttCluster.Grains.Tests;

/// <summary>Topic grains deliver through the replicated route index: only to gateways with matching routes, in order.</summary>
public sealed class RoutingTests : IAsyncLifetime
{
    private BrokerTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await BrokerTestCluster.StartAsync(silos: 2);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _cluster.DeleteData();
    }

    private IRouteIndexGrain RouteIndex => _cluster.Client.GetGrain<IRouteIndexGrain>(0);

    private async Task<(RecordingGateway Gateway, IGatewayObserver Reference)> RegisterGatewayAsync(string id)
    {
        var gateway = new RecordingGateway();
        var reference = _cluster.Client.CreateObjectReference<IGatewayObserver>(gateway);
        await RouteIndex.RegisterGatewayAsync(id, reference);
        return (gateway, reference);
    }

    [Fact]
    public async Task Publish_ReachesOnlyGatewaysWithMatchingRoutes()
    {
        var (sensors, _) = await RegisterGatewayAsync("gw-sensors");
        var (alarms, _) = await RegisterGatewayAsync("gw-alarms");
        await RouteIndex.AddRoutesAsync("gw-sensors", ["sensors/#"]);
        await RouteIndex.AddRoutesAsync("gw-alarms", ["alarms/+"]);

        // Topic grains live in either silo; both replicas must have the routes once AddRoutes returned.
        for (var i = 0; i < 8; i++)
        {
            await _cluster.Client.GetGrain<ITopicGrain>($"sensors/room{i}").PublishAsync([Messages.Create($"sensors/room{i}", $"t{i}")]);
            await _cluster.Client.GetGrain<ITopicGrain>($"alarms/room{i}").PublishAsync([Messages.Create($"alarms/room{i}", $"a{i}")]);
        }

        for (var i = 0; i < 8; i++)
        {
            Assert.StartsWith("sensors/", (await sensors.NextAsync("a sensors message")).Topic);
            Assert.StartsWith("alarms/", (await alarms.NextAsync("an alarms message")).Topic);
        }

        // A marker proves nothing else was queued before it.
        await _cluster.Client.GetGrain<ITopicGrain>("sensors/end").PublishAsync([Messages.Create("sensors/end", "end")]);
        Assert.Equal("sensors/end", (await sensors.NextAsync("the marker")).Topic);
        Assert.False(alarms.TryTake(out _));
    }

    [Fact]
    public async Task RemovedRoute_StopsDelivery()
    {
        var (gateway, _) = await RegisterGatewayAsync("gw-remove");
        await RouteIndex.AddRoutesAsync("gw-remove", ["x/1", "x/2"]);
        await RouteIndex.RemoveRoutesAsync("gw-remove", ["x/1"]);

        await _cluster.Client.GetGrain<ITopicGrain>("x/1").PublishAsync([Messages.Create("x/1", "gone")]);
        await _cluster.Client.GetGrain<ITopicGrain>("x/2").PublishAsync([Messages.Create("x/2", "kept")]);

        Assert.Equal("kept", (await gateway.NextAsync("the message on the remaining route")).Text());
        Assert.False(gateway.TryTake(out _));
    }

    [Fact]
    public async Task UnregisteredGateway_GetsNothing()
    {
        var (gateway, _) = await RegisterGatewayAsync("gw-leaving");
        var (marker, _) = await RegisterGatewayAsync("gw-staying");
        await RouteIndex.AddRoutesAsync("gw-leaving", ["y/#"]);
        await RouteIndex.AddRoutesAsync("gw-staying", ["y/#"]);
        await RouteIndex.UnregisterGatewayAsync("gw-leaving");

        await _cluster.Client.GetGrain<ITopicGrain>("y/z").PublishAsync([Messages.Create("y/z", "after")]);

        Assert.Equal("after", (await marker.NextAsync("delivery to the remaining gateway")).Text());
        Assert.False(gateway.TryTake(out _));
    }

    [Fact]
    public async Task MessagesOfOneTopic_ArriveInPublishOrder()
    {
        var (gateway, _) = await RegisterGatewayAsync("gw-order");
        await RouteIndex.AddRoutesAsync("gw-order", ["order/#"]);
        var topic = _cluster.Client.GetGrain<ITopicGrain>("order/t");

        // Each call returns once accepted, before delivery: batches pile up in the grain's outbox, which must
        // still deliver them in order. (Concurrent calls have no order in Orleans; the gateway awaits each.)
        for (var batch = 0; batch < 50; batch++)
        {
            await topic.PublishAsync([.. Enumerable.Range(0, 20).Select(i => Messages.Create("order/t", $"{(batch * 20) + i}"))]);
        }

        for (var expected = 0; expected < 1000; expected++)
        {
            Assert.Equal($"{expected}", (await gateway.NextAsync($"message {expected}")).Text());
        }
    }

    [Fact]
    public async Task RegisterGateway_ReturnsRoutesTheIndexHolds()
    {
        await RegisterGatewayAsync("gw-refresh");
        await RouteIndex.AddRoutesAsync("gw-refresh", ["a/#", "b"]);

        var known = await RouteIndex.RegisterGatewayAsync("gw-refresh", _cluster.Client.CreateObjectReference<IGatewayObserver>(new RecordingGateway()));

        Assert.Equal(["a/#", "b"], known.Routes.Order(StringComparer.Ordinal));
    }
}
