using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>
/// delivery.md A.4 "Lost answer": a gateway took a delivery but the topic grain never heard so. The outbox sends the
/// same numbered batch again and the gateway takes it once; when every attempt fails the rescue names the batch, so
/// a gateway that took it skips it. One copy reaches the client whatever happens in between.
/// </summary>
public sealed class LostAnswerTests
{
    [Fact]
    public async Task Answer_lost_then_the_client_moves_gets_one_copy()
    {
        // B.9 "Answer lost, then the client moves": gateway A takes the batch, the client moves to B (takeover)
        // before the topic grain hears back, the answer is lost; the retry reaches A as a copy.
        await using var cluster = await FailureCluster.StartAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var b = await cluster.GatewayAsync("gw-b");
        var clientId = NewClientId("mover");
        var onA = await a.ConnectAsync(clientId, "move/#");
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Faults.LoseAnswers(Calls.DeliveryTo(a), times: 1, beforeLoss: () =>
        {
            taken.SetResult();
            return moved.Task;
        });
        var message = Message("move/1", "its first answer is lost");

        var publish = cluster.Client.GetGrain<ITopicGrain>("move/1").PublishAsync([message]);
        await taken.Task;
        var onB = await b.ConnectAsync(clientId, "move/#");
        moved.SetResult();
        await publish;

        Assert.Equal(1, onA.Copies(message.MessageId) + onB.Copies(message.MessageId));
        var deliveries = a.Deliveries.ToArray();
        Assert.Equal(2, deliveries.Length);
        Assert.Equal(deliveries[0], deliveries[1]);
        Assert.Empty(b.Deliveries);
        Assert.Empty(a.Rescues.Concat(b.Rescues));
    }

    [Fact]
    public async Task Every_answer_lost_the_rescue_of_a_taken_batch_is_skipped()
    {
        // B.9 "Every answer lost, batch taken": all four attempts reach the gateway and every answer is lost; the
        // rescue goes through the session grain to the connection, naming the batch, which the gateway took.
        await using var cluster = await FailureCluster.StartAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var connection = await a.ConnectAsync(NewClientId("unanswered"), "lost/#");
        cluster.Faults.LoseAnswers(Calls.DeliveryTo(a));
        var message = Message("lost/1", "never answered");

        await cluster.Client.GetGrain<ITopicGrain>("lost/1").PublishAsync([message]);

        var deliveries = a.Deliveries.ToArray();
        Assert.Equal(4, deliveries.Length); // the first attempt and three retries (DeliveryBudget.RetryDelays)
        Assert.Single(deliveries.Distinct());
        var rescue = Assert.Single(a.Rescues);
        Assert.Equal((connection.ClientId, (DeliveryBatch?)deliveries[0], true), rescue);
        Assert.Equal(1, connection.Copies(message.MessageId));
    }

    [Fact]
    public async Task Topic_grain_moved_mid_delivery_retries_under_the_same_batch()
    {
        // B.9 "Topic grain moved mid-delivery": the grain is migrated while its delivery is out and that answer is
        // lost; the leaving activation drains its outbox with the same batch, and the new activation numbers anew.
        await using var cluster = await FailureCluster.StartAsync();
        var a = await cluster.GatewayAsync("gw-a");
        var connection = await a.ConnectAsync(NewClientId("migrated"), "moving/#");
        var topic = cluster.Client.GetGrain<ITopicGrain>("moving/1");
        await topic.GetRetainedAsync();
        await cluster.PlaceAsync(topic, cluster.Primary);
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var migrating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cluster.Faults.LoseAnswers(Calls.DeliveryTo(a), times: 1, beforeLoss: () =>
        {
            taken.SetResult();
            return migrating.Task;
        });
        var first = Message("moving/1", "out while the grain moves");
        var second = Message("moving/1", "after the move");

        var publish = topic.PublishAsync([first]);
        await taken.Task;
        var migration = cluster.Cluster.MigrateAsync(topic, cluster.Secondary.SiloAddress);
        migrating.SetResult();
        await publish;
        await migration;
        await topic.PublishAsync([second]);

        var deliveries = a.Deliveries.ToArray();
        Assert.Equal(3, deliveries.Length);
        Assert.Equal(deliveries[0], deliveries[1]);
        Assert.NotEqual(deliveries[0].Outbox, deliveries[2].Outbox);
        Assert.Equal(1, deliveries[2].Number);
        Assert.Equal(1, connection.Copies(first.MessageId));
        Assert.Equal(1, connection.Copies(second.MessageId));
        Assert.Equal(cluster.Secondary.SiloAddress, cluster.SiloOf(topic));
    }
}
