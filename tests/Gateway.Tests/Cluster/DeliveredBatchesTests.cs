using Microsoft.Extensions.Time.Testing;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Tests.Cluster;

/// <summary>A gateway takes each numbered batch of a topic-grain outbox once: copies sent after a lost answer are dropped.</summary>
public sealed class DeliveredBatchesTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    [Fact]
    public void Takes_each_batch_once_and_drops_copies_of_earlier_ones()
    {
        var delivered = new DeliveredBatches(_clock);
        var outbox = Guid.NewGuid();

        Assert.True(delivered.TryTake(new DeliveryBatch(outbox, 1), out _));
        Assert.False(delivered.TryTake(new DeliveryBatch(outbox, 1), out _));
        Assert.True(delivered.TryTake(new DeliveryBatch(outbox, 2), out _));

        // A first attempt at batch 1 that arrives after batch 2 (it took a slower way) is a copy too.
        Assert.False(delivered.TryTake(new DeliveryBatch(outbox, 1), out _));
        Assert.False(delivered.TryTake(new DeliveryBatch(outbox, 2), out _));
        Assert.True(delivered.TryTake(new DeliveryBatch(outbox, 3), out _));
    }

    [Fact]
    public void Tells_whether_a_batch_was_taken()
    {
        var delivered = new DeliveredBatches(_clock);
        var outbox = Guid.NewGuid();
        Assert.False(delivered.WasTaken(new DeliveryBatch(outbox, 1)));

        delivered.TryTake(new DeliveryBatch(outbox, 2), out _);

        Assert.True(delivered.WasTaken(new DeliveryBatch(outbox, 1)));
        Assert.True(delivered.WasTaken(new DeliveryBatch(outbox, 2)));
        Assert.False(delivered.WasTaken(new DeliveryBatch(outbox, 3)));
        Assert.False(delivered.WasTaken(new DeliveryBatch(Guid.NewGuid(), 1)));
    }

    [Fact]
    public void Outboxes_are_numbered_independently()
    {
        var delivered = new DeliveredBatches(_clock);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();

        Assert.True(delivered.TryTake(new DeliveryBatch(first, 5), out _));
        Assert.True(delivered.TryTake(new DeliveryBatch(second, 1), out _));
        Assert.True(delivered.TryTake(new DeliveryBatch(second, 2), out _));
        Assert.False(delivered.TryTake(new DeliveryBatch(first, 5), out _));
    }

    [Fact]
    public void Forgets_outboxes_that_were_silent_for_its_memory()
    {
        var delivered = new DeliveredBatches(_clock);
        var silent = Guid.NewGuid();
        var busy = Guid.NewGuid();
        delivered.TryTake(new DeliveryBatch(silent, 1), out _);
        delivered.TryTake(new DeliveryBatch(busy, 1), out _);

        _clock.Advance(DeliveredBatches.Memory / 2);
        delivered.TryTake(new DeliveryBatch(busy, 2), out _);
        _clock.Advance(DeliveredBatches.Memory / 2 + TimeSpan.FromSeconds(1));
        delivered.TryTake(new DeliveryBatch(busy, 3), out _);

        Assert.Equal(1, delivered.OutboxCount);
        Assert.False(delivered.TryTake(new DeliveryBatch(busy, 3), out _));
    }

    [Fact]
    public async Task Concurrent_copies_of_one_batch_are_taken_once()
    {
        var delivered = new DeliveredBatches(_clock);
        var outbox = Guid.NewGuid();
        for (var number = 1; number <= 200; number++)
        {
            var batch = new DeliveryBatch(outbox, number);
            var taken = await Task.WhenAll(Enumerable.Range(0, 4).Select(copy => Task.Run(() => delivered.TryTake(batch, out _))));
            Assert.Equal(1, taken.Count(t => t));
        }
    }

    [Fact]
    public async Task A_copy_of_the_last_batch_is_answered_as_the_first_is_once_that_is_done()
    {
        var delivered = new DeliveredBatches(_clock);
        var batch = new DeliveryBatch(Guid.NewGuid(), 1);
        Assert.True(delivered.TryTake(batch, out _));
        var handOff = new TaskCompletionSource();
        delivered.Remember(batch, handOff.Task);

        Assert.False(delivered.TryTake(batch, out var copy));
        Assert.False(copy.IsCompleted);
        handOff.SetException(new InvalidOperationException("the session grain could not be reached"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => copy);
        Assert.True(delivered.WasTaken(batch));
    }

    [Fact]
    public void A_copy_of_a_batch_answered_without_waiting_is_answered_at_once()
    {
        var delivered = new DeliveredBatches(_clock);
        var outbox = Guid.NewGuid();
        delivered.TryTake(new DeliveryBatch(outbox, 1), out _);
        delivered.Remember(new DeliveryBatch(outbox, 1), new TaskCompletionSource().Task);
        delivered.TryTake(new DeliveryBatch(outbox, 2), out _);

        Assert.False(delivered.TryTake(new DeliveryBatch(outbox, 1), out var earlier));
        Assert.True(earlier.IsCompletedSuccessfully);
        Assert.False(delivered.TryTake(new DeliveryBatch(outbox, 2), out var last));
        Assert.True(last.IsCompletedSuccessfully);
    }
}
