using Microsoft.Extensions.Hosting;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Closes the established connections of this gateway whose client went silent for one and a half keep-alive periods
/// [MQTT-3.1.2-22] or stopped taking its packets for <see cref="GatewayOptions.SlowConsumerTimeout"/>, from one timer
/// for all of them. Each connection is checked when it is due, not on every tick: a check says how long until the
/// client could next count as gone (<see cref="IKeepAliveTarget.CloseIfUnresponsive"/>), and the connection waits in
/// the slot of that tick. A tick looks at the slots that came due since the last one, so 18 000 idle connections
/// with a 60 s keep-alive cost a few hundred checks a second, where checking every connection on every tick cost
/// 36 000 (the largest part of an idle node's CPU with that many clients). Slots far ahead are coarse (a check comes
/// early, never late, and places the connection again for the time left), so there are never more than a few
/// hundred slots however the connections' times spread.
/// </summary>
public sealed class KeepAliveSweep(TimeProvider timeProvider) : BackgroundService
{
    /// <summary>The tick; a silent client is closed at most this much after its limit.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    /// <summary>The slot of a connection whose check is running (outside the lock).</summary>
    private const long Checking = long.MinValue;

    private readonly Lock _lock = new();
    private readonly long _origin = timeProvider.GetTimestamp();
    private readonly Dictionary<long, HashSet<IKeepAliveTarget>> _slots = [];
    private readonly Dictionary<IKeepAliveTarget, long> _slotOf = new(ReferenceEqualityComparer.Instance);
    private long _sweptTick;

    /// <summary>Starts checking <paramref name="connection"/> (once its CONNECT was accepted).</summary>
    public void Watch(IKeepAliveTarget connection)
    {
        lock (_lock)
        {
            // Its first check comes after a tick: nothing can be due before the client had a chance to send.
            Place(connection, _sweptTick + 1);
        }
    }

    /// <summary>Stops checking <paramref name="connection"/> (its read side ended).</summary>
    public void Forget(IKeepAliveTarget connection)
    {
        lock (_lock)
        {
            if (_slotOf.Remove(connection, out var tick) && tick != Checking)
            {
                RemoveFromSlot(connection, tick);
            }

            if (_slotOf.Count == 0)
            {
                // A burst of connections that closed leaves no tables sized for the peak behind.
                _slotOf.TrimExcess();
                _slots.TrimExcess();
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                CheckDue();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CheckDue()
    {
        var now = (long)Math.Floor(timeProvider.GetElapsedTime(_origin) / Period);
        List<IKeepAliveTarget>? due = null;
        lock (_lock)
        {
            for (var tick = _sweptTick + 1; tick <= now; tick++)
            {
                if (_slots.Remove(tick, out var slot))
                {
                    foreach (var connection in slot)
                    {
                        _slotOf[connection] = Checking;
                    }

                    (due ??= []).AddRange(slot);
                }
            }

            _sweptTick = now;
        }

        // Outside the lock: closing a connection runs its cancellation callbacks, which forget it.
        foreach (var connection in due ?? [])
        {
            if (connection.CloseIfUnresponsive() is not { } untilNext)
            {
                continue;
            }

            lock (_lock)
            {
                // Forgotten while it was checked: its read side ended meanwhile.
                if (_slotOf.TryGetValue(connection, out var tick) && tick == Checking)
                {
                    Place(connection, (long)Math.Ceiling((timeProvider.GetElapsedTime(_origin) + untilNext) / Period));
                }
            }
        }
    }

    /// <summary>Puts the connection in the slot for its check at <paramref name="dueTick"/>: that tick while it is
    /// near, else the start of a slot 16 or 256 ticks wide (8 s, 128 s) that holds it, so earlier, never later.</summary>
    private void Place(IKeepAliveTarget connection, long dueTick)
    {
        var distance = dueTick - _sweptTick;
        var width = distance <= 16 ? 1 : distance <= 256 ? 16 : 256;
        var tick = Math.Max(_sweptTick + 1, dueTick / width * width);
        if (!_slots.TryGetValue(tick, out var slot))
        {
            _slots[tick] = slot = new HashSet<IKeepAliveTarget>(ReferenceEqualityComparer.Instance);
        }

        slot.Add(connection);
        _slotOf[connection] = tick;
    }

    private void RemoveFromSlot(IKeepAliveTarget connection, long tick)
    {
        if (_slots.TryGetValue(tick, out var slot) && slot.Remove(connection) && slot.Count == 0)
        {
            _slots.Remove(tick);
        }
    }
}
