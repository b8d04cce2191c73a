using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// The queue of one topic grain towards one destination (a gateway or an offline session). At most one delivery
/// call is in flight; what arrives meanwhile goes out as the next batch, so order per topic and destination is
/// kept without waiting for each message. Runs on the grain's scheduler, so it needs no locks.
/// </summary>
internal sealed partial class RouteOutbox(string topic, string target, Func<GatewayDelivery[], Task> send, BrokerMetrics metrics, ILogger logger)
{
    /// <summary>Beyond this a destination that does not keep up loses the oldest messages (logged).</summary>
    public const int Capacity = 100_000;

    private readonly Queue<GatewayDelivery> _pending = new();
    private TaskCompletionSource? _nextBatchDone;
    private Task _pump = Task.CompletedTask;
    private bool _sending;

    public Func<GatewayDelivery[], Task> Send { get; set; } = send;

    /// <summary>For a gateway: where QoS 1/2 messages go when delivering to it failed (its sessions keep them).</summary>
    public Func<BrokerMessage[], Task>? Rescue { get; init; }

    public bool IsIdle => !_sending && _pending.Count == 0;

    /// <summary>Completes when everything queued so far has been sent (or has failed and been rescued).</summary>
    public Task Drained => _pump;

    /// <summary>Queues deliveries; the returned task completes when the batch carrying them was delivered (or
    /// faults when that failed), for callers that must not acknowledge before that.</summary>
    public Task Enqueue(IEnumerable<GatewayDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            if (_pending.Count >= Capacity)
            {
                _pending.Dequeue();
                metrics.MessagesDropped(DropReasons.OutboxOverflow);
                LogOverflow(topic, target, Capacity);
            }

            _pending.Enqueue(delivery);
        }

        _nextBatchDone ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = _nextBatchDone.Task;
        if (!_sending)
        {
            _sending = true;
            _pump = PumpAsync();
        }

        return done;
    }

    private async Task PumpAsync()
    {
        // The pump outlives the grain call that started it; its calls belong to no one message's trace.
        Activity.Current = null;
        try
        {
            while (_pending.Count > 0)
            {
                var batch = _pending.ToArray();
                _pending.Clear();
                var done = _nextBatchDone;
                _nextBatchDone = null;
                try
                {
                    await Send(batch);
                    done?.TrySetResult();
                }
                catch (Exception exception)
                {
                    LogDeliveryFailed(topic, target, batch.Length, exception);
                    done?.TrySetException(exception);
                    await RescueAsync(batch);
                }
            }
        }
        finally
        {
            _sending = false;
        }
    }

    /// <summary>The publishers were told these QoS 1/2 messages were accepted: they must not vanish with a gateway.</summary>
    private async Task RescueAsync(GatewayDelivery[] batch)
    {
        var acknowledged = batch.Select(d => d.Message).Where(m => m.QualityOfService > 0).Distinct().ToArray();
        if (Rescue is null || acknowledged.Length == 0)
        {
            return;
        }

        try
        {
            await Rescue(acknowledged);
        }
        catch (Exception exception)
        {
            LogRescueFailed(topic, target, acknowledged.Length, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} QoS 1/2 message(s) on '{Topic}' that {Target} could not take are lost: its sessions could not be reached either")]
    private partial void LogRescueFailed(string topic, string target, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {Count} message(s) on '{Topic}' to {Target} failed")]
    private partial void LogDeliveryFailed(string topic, string target, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Target} is not keeping up with '{Topic}': more than {Capacity} messages queued, dropping the oldest")]
    private partial void LogOverflow(string topic, string target, int capacity);
}
