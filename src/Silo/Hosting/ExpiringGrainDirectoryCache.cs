using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.GrainDirectory;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// A cluster silo's cache of where grains are activated, whose entries expire after <see cref="Lifetime"/>.
/// </summary>
/// <remarks>
/// A standalone gateway's answer to a grain's call enters the cluster through whichever silo's gateway port it is
/// connected to, and that silo finds the grain by this cache. Orleans' default cache keeps an entry until a call
/// through it is rejected, but an answer sent to a silo that no longer hosts the grain (it moved when its silo
/// stopped) is dropped without a rejection: every delivery from the moved grain to that gateway then timed out for
/// minutes (the rolling-upgrade test). Expiring entries bound that to seconds, for one directory lookup per grain and
/// silo every <see cref="Lifetime"/>.
/// </remarks>
public sealed class ExpiringGrainDirectoryCache(IOptions<GrainDirectoryOptions> options, TimeProvider timeProvider) : IGrainDirectoryCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<GrainId, Entry> _entries = new();
    private readonly int _capacity = options.Value.CacheSize;
    private readonly long _lifetimeTicks = (long)(Lifetime.TotalSeconds * timeProvider.TimestampFrequency);

    public IEnumerable<(GrainAddress ActivationAddress, int Version)> KeyValues =>
        _entries.Values.Select(e => (e.Address, e.Version));

    public void AddOrUpdate(GrainAddress value, int version)
    {
        if (_entries.Count >= _capacity)
        {
            DropExpiredOrAll();
        }

        _entries[value.GrainId] = new Entry(value, version, timeProvider.GetTimestamp() + _lifetimeTicks);
    }

    public bool LookUp(GrainId key, [NotNullWhen(true)] out GrainAddress? result, out int version)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (timeProvider.GetTimestamp() < entry.ExpiresAt)
            {
                result = entry.Address;
                version = entry.Version;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<GrainId, Entry>(key, entry));
        }

        result = null;
        version = 0;
        return false;
    }

    public bool Remove(GrainId key) => _entries.TryRemove(key, out _);

    public bool Remove(GrainAddress key) =>
        _entries.TryGetValue(key.GrainId, out var entry) && entry.Address.Matches(key) &&
        _entries.TryRemove(new KeyValuePair<GrainId, Entry>(key.GrainId, entry));

    public void Clear() => _entries.Clear();

    /// <summary>At capacity: expired entries go; if none had, everything (the cache refills from the directory).</summary>
    private void DropExpiredOrAll()
    {
        var now = timeProvider.GetTimestamp();
        var dropped = 0;
        foreach (var (grain, entry) in _entries)
        {
            if (entry.ExpiresAt <= now && _entries.TryRemove(new KeyValuePair<GrainId, Entry>(grain, entry)))
            {
                dropped++;
            }
        }

        if (dropped == 0)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(GrainAddress Address, int Version, long ExpiresAt);
}
