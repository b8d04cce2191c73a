namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The delivery batches a bridge took, so a batch sent again after a lost answer is queued once. A topic grain's
/// outbox numbers its batches in order with one in flight, so the last number per outbox is enough.
/// </summary>
internal sealed class BridgeBatches
{
    private const int Capacity = 10_000;

    private readonly Dictionary<Guid, long> _last = [];
    private readonly Queue<Guid> _order = new();

    public bool TryTake(DeliveryBatch batch)
    {
        if (_last.TryGetValue(batch.Outbox, out var last))
        {
            if (batch.Number <= last)
            {
                return false;
            }

            _last[batch.Outbox] = batch.Number;
            return true;
        }

        if (_order.Count >= Capacity)
        {
            _last.Remove(_order.Dequeue());
        }

        _last[batch.Outbox] = batch.Number;
        _order.Enqueue(batch.Outbox);
        return true;
    }
}
