using Microsoft.Extensions.Logging;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Grains.DynamicSecurity;

/// <summary>
/// Owns the dynamic-security state of the cluster: runs command batches one at a time, writes each change to
/// storage before answering, and pushes the new version to every registered gateway. A gateway that misses a push
/// catches up at its next refresh (<see cref="IDynamicSecurityGrain.SubscribeAsync"/> returns the version).
/// </summary>
public sealed partial class DynamicSecurityGrain(
    [PersistentState("dynamic-security", StorageNames.Broker)] IPersistentState<DynamicSecurityState> stored,
    TimeProvider timeProvider,
    ILogger<DynamicSecurityGrain> logger) : Grain, IDynamicSecurityGrain
{
    /// <summary>Gateways refresh every few seconds; one silent for this long is gone.</summary>
    public static readonly TimeSpan ObserverExpiry = TimeSpan.FromSeconds(30);

    /// <summary>A gateway that takes longer (it died and the cluster has not noticed yet) does not hold up the answer.</summary>
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(2);

    private readonly Dictionary<IDynamicSecurityObserver, long> _observers = [];
    private DynsecState? _state;

    private DynsecState State => _state ??= stored.State.Document is { } document ? DynsecDocument.Parse(document) : new DynsecState();

    public async Task<DynamicSecurityResponse> ExecuteAsync(byte[] commands, string actor)
    {
        // A copy, so the state in memory never runs ahead of storage if the write fails.
        var working = State.Clone();
        var result = DynsecCommandProcessor.Execute(working, commands, stored.State.Version);
        if (!result.Changed)
        {
            return new DynamicSecurityResponse(result.Response, stored.State.Version);
        }

        var previous = (stored.State.Version, stored.State.Document);
        stored.State.Version++;
        stored.State.Document = DynsecDocument.Write(working);
        try
        {
            await stored.WriteStateAsync();
        }
        catch
        {
            (stored.State.Version, stored.State.Document) = previous;
            throw;
        }

        _state = working;
        foreach (var change in result.Changes)
        {
            LogChanged(actor, change, stored.State.Version);
        }

        await PushAsync(new DynamicSecurityUpdate(Snapshot(), [.. result.KickedUsernames], result.KickAnonymous));
        return new DynamicSecurityResponse(result.Response, stored.State.Version);
    }

    public Task<DynamicSecuritySnapshot> GetSnapshotAsync() => Task.FromResult(Snapshot());

    public async Task<bool> ImportIfEmptyAsync(string document, string source)
    {
        if (stored.State.Document is not null)
        {
            return false;
        }

        var state = DynsecDocument.Parse(document);
        stored.State.Version = 1;
        stored.State.Document = DynsecDocument.Write(state);
        await stored.WriteStateAsync();
        _state = state;
        LogImported(source, state.Clients.Count, state.Groups.Count, state.Roles.Count);
        await PushAsync(new DynamicSecurityUpdate(Snapshot(), [], false));
        return true;
    }

    public Task<long> SubscribeAsync(IDynamicSecurityObserver observer)
    {
        var now = timeProvider.GetTimestamp();
        _observers[observer] = now;
        foreach (var (known, seen) in _observers.ToList())
        {
            if (timeProvider.GetElapsedTime(seen, now) > ObserverExpiry)
            {
                _observers.Remove(known);
            }
        }

        return Task.FromResult(stored.State.Version);
    }

    public Task UnsubscribeAsync(IDynamicSecurityObserver observer)
    {
        _observers.Remove(observer);
        return Task.CompletedTask;
    }

    private DynamicSecuritySnapshot Snapshot() => new(stored.State.Version, stored.State.Document);

    /// <summary>Tells every gateway at once; one that fails is dropped and catches up when it refreshes.</summary>
    private async Task PushAsync(DynamicSecurityUpdate update)
    {
        var observers = _observers.Keys.ToList();
        var pushes = observers.Select(o => o.ApplyAsync(update)).ToList();
        try
        {
            await Task.WhenAll(pushes).WaitAsync(PushTimeout, timeProvider);
        }
        catch (TimeoutException)
        {
            LogPushFailed($"no answer within {PushTimeout.TotalSeconds} s");
        }
        catch
        {
            for (var i = 0; i < pushes.Count; i++)
            {
                if (pushes[i].IsFaulted)
                {
                    _observers.Remove(observers[i]);
                    LogPushFailed(pushes[i].Exception!.GetBaseException().Message);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Dynamic security changed by '{Actor}': {Change} (version {Version})")]
    private partial void LogChanged(string actor, string change, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dynamic security imported from {Source}: {Clients} clients, {Groups} groups, {Roles} roles")]
    private partial void LogImported(string source, int clients, int groups, int roles);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gateway did not take a dynamic-security change ({Problem}); it catches up at its next refresh")]
    private partial void LogPushFailed(string problem);
}
