using Microsoft.Extensions.Hosting;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Checks every established connection of this gateway from one timer: a client that went silent for one and a half
/// keep-alive periods [MQTT-3.1.2-22], or stopped taking its packets for <see cref="GatewayOptions.SlowConsumerTimeout"/>,
/// is closed. One timer for all connections instead of a timer and a waiting loop in each: an idle connection costs
/// no timer, and 18 000 connections wake the process twice a second, not 18 000 times.
/// </summary>
public sealed class KeepAliveSweep(TimeProvider timeProvider) : BackgroundService
{
    /// <summary>How often the connections are checked; a silent client is closed at most this much after its limit.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private readonly Lock _lock = new();
    private readonly HashSet<MqttConnection> _watched = new(ReferenceEqualityComparer.Instance);

    /// <summary>Starts checking <paramref name="connection"/> (once its CONNECT was accepted).</summary>
    public void Watch(MqttConnection connection)
    {
        lock (_lock)
        {
            _watched.Add(connection);
        }
    }

    /// <summary>Stops checking <paramref name="connection"/> (its read side ended).</summary>
    public void Forget(MqttConnection connection)
    {
        lock (_lock)
        {
            _watched.Remove(connection);
            if (_watched.Count == 0)
            {
                // A burst of connections that closed leaves no table sized for the peak behind.
                _watched.TrimExcess();
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
                CheckAll();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void CheckAll()
    {
        List<MqttConnection>? unresponsive = null;
        lock (_lock)
        {
            foreach (var connection in _watched)
            {
                if (connection.IsUnresponsive())
                {
                    (unresponsive ??= []).Add(connection);
                }
            }
        }

        // Outside the lock: closing a connection runs its cancellation callbacks, which may forget it.
        foreach (var connection in unresponsive ?? [])
        {
            if (connection.CloseUnresponsive())
            {
                Forget(connection);
            }
        }
    }
}
