using System.Buffers;
using MQTTnet;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// Everything a test client received, in order. Waits are woken by each arrival and bounded by a deadline that
/// names what was awaited; <see cref="NextAsync"/> and friends consume in order, <see cref="All"/> keeps everything.
/// </summary>
public sealed class Inbox
{
    private readonly Lock _lock = new();
    private readonly List<ReceivedMessage> _received = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _consumed;

    /// <summary>When set, QoS 1/2 messages are not acknowledged (no PUBACK / PUBREC): they stay in flight.</summary>
    public bool HoldAcknowledgements { get; set; }

    public IReadOnlyList<ReceivedMessage> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _received];
            }
        }
    }

    internal Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        if (HoldAcknowledgements)
        {
            // Never acknowledged: the connection ends with these in flight (a takeover, a crash).
            args.AutoAcknowledge = false;
        }

        var message = args.ApplicationMessage;
        lock (_lock)
        {
            _received.Add(new ReceivedMessage(message, message.Payload.ToArray(), message.Dup, TestClock.Now));
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.TrySetResult();
        }

        return Task.CompletedTask;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for everything received so far, and returns that.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> WaitUntilAsync(
        Func<IReadOnlyList<ReceivedMessage>, bool> condition, string awaited, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var limit = timeout ?? Within.DefaultTimeout;
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            Task changed;
            List<ReceivedMessage> received;
            lock (_lock)
            {
                received = [.. _received];
                changed = _changed.Task;
            }

            if (condition(received))
            {
                return received;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                var shown = string.Join("\n  ", received.TakeLast(30));
                var context1 = context is null ? string.Empty : "\n" + context();
                throw new TimeoutException(
                    $"Timed out after {limit.TotalSeconds:0.#} s waiting for {awaited}; received {received.Count} message(s), the last:\n  {shown}{context1}");
            }
        }
    }

    /// <summary>The next message not yet taken.</summary>
    public async Task<ReceivedMessage> NextAsync(string awaited, TimeSpan? timeout = null, Func<string>? context = null) =>
        (await TakeAsync(1, awaited, timeout, context))[0];

    /// <summary>The next <paramref name="count"/> messages not yet taken.</summary>
    public async Task<IReadOnlyList<ReceivedMessage>> TakeAsync(int count, string awaited, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var start = Consumed;
        var received = await WaitUntilAsync(r => r.Count >= start + count, $"{awaited} ({count} message(s))", timeout, context);
        lock (_lock)
        {
            _consumed = start + count;
        }

        return [.. received.Skip(start).Take(count)];
    }

    /// <summary>
    /// Messages not yet taken, up to and including the first with <paramref name="markerText"/> as payload. A test
    /// proves that something did NOT arrive by publishing a marker after it and seeing only the marker.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMessage>> UntilMarkerAsync(string markerText, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var start = Consumed;
        var received = await WaitUntilAsync(r => r.Skip(start).Any(m => m.Text == markerText), $"marker message '{markerText}'", timeout, context);
        var taken = received.Skip(start).TakeWhile(m => m.Text != markerText).Append(received.Skip(start).First(m => m.Text == markerText)).ToList();
        lock (_lock)
        {
            _consumed = start + taken.Count;
        }

        return taken;
    }

    private int Consumed
    {
        get
        {
            lock (_lock)
            {
                return _consumed;
            }
        }
    }
}
