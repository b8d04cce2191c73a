using System.Collections.Concurrent;

namespace MqttCluster.Grains.Tests;

/// <summary>
/// A topic grain whose delivery to a gateway gets no answer in time (lost on the way, e.g. through a stopping silo)
/// sends the same numbered batch again, so the gateway, which takes each batch once, neither loses nor repeats it;
/// the publish is accepted only when the delivery was.
/// </summary>
public sealed class DeliveryRetryTests : IAsyncLifetime
{
    private BrokerTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await BrokerTestCluster.StartAsync(silos: 1);

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _cluster.DeleteData();
    }

    [Fact]
    public async Task A_batch_whose_answer_was_late_is_sent_again_under_the_same_number()
    {
        var gateway = new AnswerLosingGateway(answerLateTimes: 1);
        var reference = _cluster.Client.CreateObjectReference<IGatewayObserver>(gateway);
        var index = _cluster.Client.GetGrain<IRouteIndexGrain>(0);
        await index.RegisterGatewayAsync("gw-late", reference);
        await index.AddRoutesAsync("gw-late", ["late/#"]);

        var topic = _cluster.Client.GetGrain<ITopicGrain>("late/1");
        await topic.PublishAsync([Messages.Create("late/1", "first")]);

        // A QoS 1 publish is accepted only once its destination has it: here, after the second attempt answered.
        Assert.Equal(2, gateway.CallCount);
        await topic.PublishAsync([Messages.Create("late/1", "second")]);
        var calls = await gateway.WaitForCallsAsync(3);

        // The first attempt's answer came after the response timeout: the retry is the same batch, then numbering goes on.
        Assert.Equal(calls[0].Batch, calls[1].Batch);
        Assert.Equal(["first"], calls[0].Payloads);
        Assert.Equal(["first"], calls[1].Payloads);
        Assert.Equal(calls[0].Batch.Outbox, calls[2].Batch.Outbox);
        Assert.Equal(calls[0].Batch.Number + 1, calls[2].Batch.Number);
        Assert.Equal(["second"], calls[2].Payloads);
        GC.KeepAlive(reference);
    }

    /// <summary>Records every delivery call; the first <c>answerLateTimes</c> calls answer after the response timeout.</summary>
    private sealed class AnswerLosingGateway(int answerLateTimes) : IGatewayObserver
    {
        private static readonly TimeSpan LateAnswer = TimeSpan.FromSeconds(4);

        private readonly ConcurrentQueue<(DeliveryBatch Batch, string[] Payloads)> _calls = new();
        private int _lateAnswersLeft = answerLateTimes;

        public async Task DeliverAsync(GatewayDelivery[] deliveries, DeliveryBatch batch)
        {
            _calls.Enqueue((batch, [.. deliveries.Select(d => d.Message.Text())]));
            if (Interlocked.Decrement(ref _lateAnswersLeft) >= 0)
            {
                await Task.Delay(LateAnswer);
            }
        }

        public Task<SessionHandoff?> TakeOverAsync(string clientId, long epoch) => Task.FromResult<SessionHandoff?>(null);

        public Task<bool> DeliverRescuedAsync(string clientId, long epoch, OutboundMessage[] messages, DeliveryBatch? batch) => Task.FromResult(false);

        public int CallCount => _calls.Count;

        public async Task<List<(DeliveryBatch Batch, string[] Payloads)>> WaitForCallsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (_calls.Count < count)
            {
                await Task.Delay(20, timeout.Token);
            }

            return [.. _calls];
        }
    }
}
