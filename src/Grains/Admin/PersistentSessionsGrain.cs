using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Grains.Sessions;
using Orleans.Concurrency;
using Orleans.Storage;

namespace MqttCluster.Grains.Admin;

/// <summary>
/// Reads what <see cref="SessionGrain"/> stores, under the same storage name and state name, without activating
/// it: an administrator looking at a million offline sessions must not wake them. A session that is being written
/// at the same moment is seen as it was just before.
/// </summary>
[StatelessWorker]
public sealed class PersistentSessionsGrain(IServiceProvider services) : Grain, IPersistentSessionsGrain
{
    /// <summary>The state name in <see cref="SessionGrain"/>'s <c>[PersistentState]</c>.</summary>
    private const string SessionStateName = "session";

    private readonly IGrainStorage _storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Broker);

    public async Task<string[]> ListAsync(string prefix)
    {
        var partitions = await Task.WhenAll(Enumerable.Range(0, ISessionRegistryGrain.Partitions)
            .Select(p => GrainFactory.GetGrain<ISessionRegistryGrain>(p).GetClientIdsAsync()));
        return [.. partitions.SelectMany(p => p)
            .Where(id => id.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];
    }

    public async Task<StoredSession?> GetAsync(string clientId)
    {
        var stored = new GrainState<SessionState>(new SessionState());
        await _storage.ReadStateAsync(SessionStateName, GrainFactory.GetGrain<ISessionGrain>(clientId).GetGrainId(), stored);
        if (!stored.RecordExists || stored.State is not { Persistent: true } state)
        {
            return null;
        }

        return new StoredSession
        {
            Subscriptions = [.. state.Subscriptions.Values.OrderBy(s => s.Filter, StringComparer.Ordinal)],
            QueuedMessages = state.Queue.Count,
            InflightMessages = state.Inflight.Count,
            SessionExpiryInterval = state.SessionExpiryInterval,
            DisconnectedAt = state.DisconnectedAtUnixMilliseconds is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
            ExpiresAt = state.ExpiresAtUnixMilliseconds is { } expires ? DateTimeOffset.FromUnixTimeMilliseconds(expires) : null,
            HasWill = state.Will is not null,
        };
    }
}
