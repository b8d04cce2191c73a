using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Grains.Topics;
using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>
/// delivery.md A.4 "Silo stops", "Silo dies" and "Route index restarts": a silo stopped or killed under a topic
/// grain, a gateway's sessions registry or the route index. The grains a test does not mean to lose are placed on
/// the other silo first.
/// </summary>
public sealed class SiloLossTests
{
    [Fact]
    public async Task Silo_stopping_mid_retry_rescues_at_once_and_acknowledges_once()
    {
        // B.9 "Silo stops mid-retry": the answer to the first attempt is lost and the outbox waits to retry (on the
        // fake clock) when its silo begins to stop: the next failure is not retried but rescued at once, the
        // rescue names the batch the gateway took, and the publish is accepted once.
        await using var cluster = await FailureCluster.StartAsync(fakeClock: true);
        var (survivor, victim) = await cluster.SilosByRouteIndexAsync();
        var a = await cluster.GatewayAsync("gw-a");
        await cluster.PlaceAsync(cluster.Client.GetGrain<IGatewaySessionsGrain>(a.Id), survivor);
        await a.RefreshAsync();
        var clientId = NewClientId("stopping");
        await cluster.PlaceAsync(cluster.Client.GetGrain<ISessionGrain>(clientId), survivor);
        var connection = await a.ConnectAsync(clientId, "stop/#");
        var topic = cluster.Client.GetGrain<ITopicGrain>("stop/1");
        await cluster.PlaceAsync(topic, victim);
        var lost = cluster.Faults.LoseAnswers(Calls.DeliveryTo(a));
        var message = Message("stop/1", "out when the silo stops");

        var publish = topic.PublishAsync([message]);
        await lost.FirstHit;
        var stop = cluster.Cluster.StopSiloAsync(victim);
        var stopping = victim.ServiceProvider.GetRequiredService<SiloStopping>();
        await EventuallyAsync(() => Task.FromResult(stopping.IsStopping), "the silo to begin stopping");
        await cluster.AdvanceUntilAsync(() => publish.IsCompleted, "the publish to be accepted");
        await publish;
        await stop;

        // At most one attempt after the stop began, and none after that: not the four of a running silo. (That
        // attempt may fail inside the stopping silo before it leaves, which is a failure like any other.)
        Assert.InRange(lost.Hits, 1, 2);
        var taken = a.Deliveries.First();
        Assert.All(a.Deliveries, batch => Assert.Equal(taken, batch));
        Assert.Equal((clientId, (DeliveryBatch?)taken, true), Assert.Single(a.Rescues));
        Assert.Equal(1, connection.Copies(message.MessageId));
    }

    [Fact]
    public async Task Silo_killed_with_a_topic_grain_fails_the_unacknowledged_publish_and_keeps_the_acknowledged_one()
    {
        // B.9 "Silo killed with a topic grain": a publish accepted before the kill is at its destinations (a live
        // connection and an offline session's queue); one whose delivery was still out when the silo died fails,
        // so its publisher is not acknowledged and sends it again.
        await using var cluster = await FailureCluster.StartAsync();
        var (survivor, victim) = await cluster.SilosByRouteIndexAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var b = await cluster.GatewayAsync("gw-b");
        await cluster.PlaceAsync(cluster.Client.GetGrain<IGatewaySessionsGrain>(a.Id), survivor);
        await a.RefreshAsync();
        var live = NewClientId("live");
        var offline = NewClientId("offline");
        await cluster.PlaceAsync(cluster.Client.GetGrain<ISessionGrain>(live), survivor);
        await cluster.PlaceAsync(cluster.Client.GetGrain<ISessionGrain>(offline), survivor);
        var connection = await a.ConnectAsync(live, "kill/#");
        await b.DisconnectAsync(await b.ConnectAsync(offline, "kill/#"));
        var topic = cluster.Client.GetGrain<ITopicGrain>("kill/1");
        await cluster.PlaceAsync(topic, victim);
        var acknowledged = Message("kill/1", "accepted before the kill");
        await topic.PublishAsync([acknowledged]);

        var held = cluster.Faults.Add(Calls.DeliveryTo(a), _ => new TaskCompletionSource().Task);
        var unacknowledged = topic.PublishAsync([Message("kill/1", "out when the silo dies")]);
        await held.FirstHit;
        await cluster.KillAsync(victim);

        await Assert.ThrowsAnyAsync<Exception>(() => unacknowledged);
        Assert.Equal(1, connection.Copies(acknowledged.MessageId));
        var back = await b.ConnectAsync(offline, "kill/#");
        Assert.Equal(1, back.Copies(acknowledged.MessageId));
    }

    [Fact]
    public async Task Silo_killed_with_a_sessions_registry_fails_the_rescue_after_the_refill_wait()
    {
        // B.9 "Silo killed with a GatewaySessionsGrain": the registry's new activation does not know the gateway's
        // sessions until the gateway refills it; a failing delivery's rescue waits GatewayLiveness.Expiry (7 s on
        // the fake clock) for that, then fails, and the publisher is not acknowledged.
        await using var cluster = await FailureCluster.StartAsync(fakeClock: true);
        var (survivor, victim) = await cluster.SilosByRouteIndexAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var registry = cluster.Client.GetGrain<IGatewaySessionsGrain>(a.Id);
        await cluster.PlaceAsync(registry, victim);
        await a.RefreshAsync();
        var clientId = NewClientId("registry-lost");
        await cluster.PlaceAsync(cluster.Client.GetGrain<ISessionGrain>(clientId), survivor);
        await a.ConnectAsync(clientId, "refill/#");
        var topic = cluster.Client.GetGrain<ITopicGrain>("refill/1");
        await cluster.PlaceAsync(topic, survivor);
        a.RefillsRegistry = false;
        await cluster.KillAsync(victim);

        cluster.Faults.Fail(Calls.DeliveryTo(a), () => new TimeoutException("Delivery failed (test fault)."));
        var rescue = cluster.Faults.Add(Calls.To(registry, nameof(IGatewaySessionsGrain.RescueAsync)), call => call());
        var publish = topic.PublishAsync([Message("refill/1", "its gateway cannot take it")]);
        await cluster.AdvanceUntilAsync(() => rescue.FirstHit.IsCompleted, "the delivery to be rescued");

        await cluster.AdvanceAsync(GatewayLiveness.Expiry - TimeSpan.FromMilliseconds(500));
        Assert.False(publish.IsCompleted, "the rescue must wait for the gateway's refill");
        await cluster.AdvanceUntilAsync(() => publish.IsCompleted, "the rescue to give up");
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => publish);
        Assert.Contains("not known here", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Route_added_after_the_route_index_died_is_routable_when_it_returns()
    {
        // B.9 "Silo killed with the route index": the index's new activation has no replica registered until the
        // silos' synchronisers refresh (5 s, on the fake clock: not moved here). AddRoutesAsync (the SUBACK) returns
        // and a publish on the other silo right after it misses the new subscriber. Fails today.
        await using var cluster = await FailureCluster.StartAsync(fakeClock: true);
        var (holder, survivor) = await cluster.SilosByRouteIndexAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var topic = cluster.Client.GetGrain<ITopicGrain>("suback/1");
        await cluster.PlaceAsync(topic, survivor);
        await cluster.KillAsync(holder);

        await a.RefreshAsync();
        var connection = await a.ConnectAsync(NewClientId("suback"), "suback/#");
        var message = Message("suback/1", "published after the SUBACK");
        await topic.PublishAsync([message]);

        Assert.Equal(1, connection.Copies(message.MessageId));
    }

    [Fact]
    public async Task Gateway_that_died_with_the_route_index_is_declared_dead()
    {
        // B.9 "Index and a gateway die together": gateway A dies with the silo holding the route index (as a gateway
        // co-hosted there would). The new index only knows gateways that refresh, so A is never declared dead: its
        // session stays "online", no will goes out. Fails today.
        await using var cluster = await FailureCluster.StartAsync(fakeClock: true);
        var (holder, survivor) = await cluster.SilosByRouteIndexAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var w = await cluster.GatewayAsync("gw-w");
        await cluster.PlaceAsync(cluster.Client.GetGrain<IGatewaySessionsGrain>(a.Id), survivor);
        await a.RefreshAsync();
        var clientId = NewClientId("with-index");
        await cluster.PlaceAsync(cluster.Client.GetGrain<ISessionGrain>(clientId), survivor);
        var willTopic = $"will/{clientId}";
        var watcher = await w.ConnectAsync(NewClientId("watcher"), "will/#");
        await a.ConnectAsync(clientId, $"{clientId}/#", will: Message(willTopic, "gone"));

        a.Die();
        await cluster.KillAsync(holder);
        await cluster.AdvanceAsync(GatewayLiveness.Expiry * 3);

        await EventuallyAsync(() => Task.FromResult(watcher.Received.Any(m => m.Topic == willTopic)), "the will of the dead gateway's client");
    }
}
