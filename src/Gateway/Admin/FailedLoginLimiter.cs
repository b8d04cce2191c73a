using System.Collections.Concurrent;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// Slows password guessing on the REST API: after <see cref="MaxFailures"/> failed logins from one address within
/// <see cref="Window"/>, that address is refused (429) until the window has passed.
/// </summary>
public sealed class FailedLoginLimiter(TimeProvider timeProvider)
{
    public const int MaxFailures = 5;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (int Failures, long Since)> _failures = new(StringComparer.Ordinal);

    /// <summary>How long <paramref name="address"/> must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(string address)
    {
        if (!_failures.TryGetValue(address, out var entry))
        {
            return null;
        }

        var elapsed = timeProvider.GetElapsedTime(entry.Since);
        if (elapsed >= Window)
        {
            _failures.TryRemove(address, out _);
            return null;
        }

        return entry.Failures >= MaxFailures ? Window - elapsed : null;
    }

    public void Failed(string address)
    {
        var now = timeProvider.GetTimestamp();
        _failures.AddOrUpdate(address, (1, now), (_, entry) =>
            timeProvider.GetElapsedTime(entry.Since, now) >= Window ? (1, now) : (entry.Failures + 1, entry.Since));

        // Bounded: a flood from many addresses forgets the oldest view rather than growing without limit.
        if (_failures.Count > 10_000)
        {
            _failures.Clear();
        }
    }

    public void Succeeded(string address) => _failures.TryRemove(address, out _);
}
