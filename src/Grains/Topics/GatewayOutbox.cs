using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// The queue of one topic grain towards one destination gateway. At most one delivery call is in flight; what
/// arrives meanwhile goes out as the next batch, so order per topic and gateway is kept without waiting for each
/// message. Runs on the grain's scheduler, so it needs no locks.
/// </summary>
internal sealed partial class GatewayOutbox(string topic, string gatewayId, IGatewayObserver gateway, ILogger logger)
{
    /// <summary>Beyond this a gateway that does not keep up loses the oldest messages (counted and logged).</summary>
    public const int Capacity = 100_000;

    private readonly Queue<BrokerMessage> _pending = new();
    private bool _sending;

    public IGatewayObserver Gateway { get; set; } = gateway;

    public bool IsIdle => !_sending && _pending.Count == 0;

    public void Enqueue(BrokerMessage[] messages)
    {
        foreach (var message in messages)
        {
            if (_pending.Count >= Capacity)
            {
                _pending.Dequeue();
                LogOverflow(topic, gatewayId, Capacity);
            }

            _pending.Enqueue(message);
        }

        if (!_sending)
        {
            _sending = true;
            _ = PumpAsync();
        }
    }

    private async Task PumpAsync()
    {
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.ToArray();
                _pending.Clear();
                try
                {
                    await Gateway.DeliverAsync(batch);
                }
                catch (Exception exception)
                {
                    LogDeliveryFailed(topic, gatewayId, batch.Length, exception);
                }
            }
        }
        finally
        {
            _sending = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {Count} message(s) on '{Topic}' to gateway {GatewayId} failed")]
    private partial void LogDeliveryFailed(string topic, string gatewayId, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway {GatewayId} is not keeping up with '{Topic}': more than {Capacity} messages queued, dropping the oldest")]
    private partial void LogOverflow(string topic, string gatewayId, int capacity);
}
