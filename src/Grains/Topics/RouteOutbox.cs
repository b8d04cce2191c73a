using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using Orleans.Runtime;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// The queue of one topic grain towards one destination (a gateway or an offline session). At most one delivery
/// call is in flight; what arrives meanwhile goes out as the next batch, so order per topic and destination is
/// kept without waiting for each message. Runs on the grain's scheduler, so it needs no locks.
/// </summary>
/// <remarks>
/// A batch whose call failed for a reason that says nothing about the destination (no answer in time, a silo on the
/// way stopping) is sent again under the same <see cref="DeliveryBatch"/> number, which the destination takes only
/// once. Only when it still fails after the retries, or this silo is stopping (<see cref="SiloStopping"/>), are the
/// batch's QoS 1/2 messages rescued. "No activation for client" (the gateway is not connected) is tried again once: a
/// silo that just started does not know every gateway yet, but a dead gateway's messages should not wait long.
/// </remarks>
internal sealed partial class RouteOutbox(
    string topic,
    string target,
    Func<GatewayDelivery[], DeliveryBatch, Task> send,
    SiloStopping silo,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger logger)
{
    /// <summary>Beyond this a destination that does not keep up loses the oldest messages (logged).</summary>
    public const int Capacity = 100_000;

    private readonly Queue<GatewayDelivery> _pending = new();
    private readonly Guid _id = Guid.NewGuid();
    private long _batchNumber;
    private TaskCompletionSource? _nextBatchDone;
    private Task _pump = Task.CompletedTask;
    private bool _sending;

    public Func<GatewayDelivery[], DeliveryBatch, Task> Send { get; set; } = send;

    /// <summary>For a gateway: where QoS 1/2 messages go when delivering to it failed (its sessions keep them).</summary>
    public Func<BrokerMessage[], DeliveryBatch, Task>? Rescue { get; init; }

    public bool IsIdle => !_sending && _pending.Count == 0;

    /// <summary>Completes when everything queued so far has been sent (or has failed, and been rescued or reported).</summary>
    public Task Drained => _pump;

    /// <summary>Queues deliveries; the returned task completes when the batch carrying them was delivered or its
    /// QoS 1/2 messages rescued (and faults when neither worked), for callers that must not acknowledge before.</summary>
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
                var number = new DeliveryBatch(_id, ++_batchNumber);
                var failure = await SendWithRetriesAsync(batch, number);
                if (failure is not null)
                {
                    LogDeliveryFailed(topic, target, batch.Length, failure);
                    failure = await RescueAsync(batch, number, failure);
                }

                if (failure is null)
                {
                    done?.TrySetResult();
                }
                else
                {
                    done?.TrySetException(failure);
                }
            }
        }
        finally
        {
            _sending = false;
        }
    }

    /// <summary>Sends one batch, again after a failure that may be passing; returns the last failure, or null.</summary>
    private async Task<Exception?> SendWithRetriesAsync(GatewayDelivery[] batch, DeliveryBatch number)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Send(batch, number);
                return null;
            }
            catch (Exception exception) when (attempt < DeliveryBudget.RetryDelays.Length && !silo.IsStopping && !(exception is ClientNotAvailableException && attempt > 0))
            {
                LogDeliveryRetried(topic, target, batch.Length, attempt + 1, exception.GetType().Name);
                await Task.Delay(DeliveryBudget.RetryDelays[attempt], timeProvider);
            }
            catch (Exception exception)
            {
                return exception;
            }
        }
    }

    /// <summary>
    /// QoS 1/2 messages that a gateway could not take go to its persistent sessions, which keep what they subscribed
    /// to. Returns null when they are safe (or there were none), else the failure for the publishers' callers: their
    /// messages were not accepted, so they are not acknowledged and get sent again.
    /// </summary>
    private async Task<Exception?> RescueAsync(GatewayDelivery[] batch, DeliveryBatch number, Exception failure)
    {
        var reliable = batch.Select(d => d.Message).Where(m => m.QualityOfService > 0).Distinct().ToArray();
        if (reliable.Length == 0)
        {
            return null;
        }

        if (Rescue is null)
        {
            return failure;
        }

        try
        {
            await Rescue(reliable, number);
            return null;
        }
        catch (Exception exception)
        {
            LogRescueFailed(topic, target, reliable.Length, exception);
            return exception;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} QoS 1/2 message(s) on '{Topic}' that {Target} could not take could not be handed to its sessions either; their publishers are not acknowledged")]
    private partial void LogRescueFailed(string topic, string target, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery of {Count} message(s) on '{Topic}' to {Target} failed ({Failure}); attempt {Attempt} follows")]
    private partial void LogDeliveryRetried(string topic, string target, int count, int attempt, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery of {Count} message(s) on '{Topic}' to {Target} failed")]
    private partial void LogDeliveryFailed(string topic, string target, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Target} is not keeping up with '{Topic}': more than {Capacity} messages queued, dropping the oldest")]
    private partial void LogOverflow(string topic, string target, int capacity);
}
