using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The bridges defined at run time (see <see cref="IBridgeRegistryGrain"/>). A change is stored first, then applied
/// to the bridge's grain at once; the keepers' rounds apply it again, so it also reaches a bridge whose grain could
/// not be called just then.
/// </summary>
/// <remarks>Reentrant, so a bridge grain that does not answer (its silo just died) holds up neither the keepers nor
/// the REST API; changes take <see cref="_changing"/> one at a time, and each changes the state before its first
/// await, so every call issued afterwards carries it.</remarks>
[Reentrant]
public sealed partial class BridgeRegistryGrain(
    [PersistentState("bridges", StorageNames.Broker)] IPersistentState<BridgeRegistryState> state,
    ILogger<BridgeRegistryGrain> logger) : Grain, IBridgeRegistryGrain
{
    private readonly SemaphoreSlim _changing = new(1, 1);

    public Task<ManagedBridge[]> ListAsync() =>
        Task.FromResult(state.State.Bridges.Values.OrderBy(b => b.Options.Name, StringComparer.Ordinal).ToArray());

    public async Task<string[]> KeepRunningAsync()
    {
        var bridges = state.State.Bridges.Values.ToArray();
        await Task.WhenAll(bridges.Where(b => b.Running).Select(ApplyAsync));
        return [.. bridges.Select(b => b.Options.Name)];
    }

    public async Task<bool> PutAsync(BridgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var changing = await ChangingAsync();
        var added = !state.State.Bridges.TryGetValue(options.Name, out var existing);
        var bridge = new ManagedBridge(options, existing?.Running ?? true);
        state.State.Bridges[options.Name] = bridge;
        await state.WriteStateAsync();
        await ApplyAsync(bridge);
        return added;
    }

    public async Task<bool> SetRunningAsync(string name, bool running)
    {
        using var changing = await ChangingAsync();
        if (!state.State.Bridges.TryGetValue(name, out var existing))
        {
            return false;
        }

        var bridge = existing with { Running = running };
        state.State.Bridges[name] = bridge;
        await state.WriteStateAsync();
        await ApplyAsync(bridge);
        return true;
    }

    public async Task<bool> RemoveAsync(string name)
    {
        using var changing = await ChangingAsync();
        if (!state.State.Bridges.Remove(name, out var removed))
        {
            return false;
        }

        await state.WriteStateAsync();
        await ApplyAsync(removed with { Running = false });
        return true;
    }

    /// <summary>One change at a time (the storage write included); dispose to let the next one in.</summary>
    private async Task<IDisposable> ChangingAsync()
    {
        await _changing.WaitAsync();
        return new Release(_changing);
    }

    /// <summary>Starts, changes or stops the bridge's grain now; when that fails, the keepers' next round does it.</summary>
    private async Task ApplyAsync(ManagedBridge bridge)
    {
        var grain = GrainFactory.GetGrain<IBridgeGrain>(bridge.Options.Name);
        try
        {
            await (bridge.Running ? grain.StartAsync(bridge.Options) : grain.StopAsync());
        }
        catch (Exception exception)
        {
            LogApplyFailed(bridge.Options.Name, exception);
        }
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: applying its managed definition failed; the silos' bridge keepers apply it at their next round")]
    private partial void LogApplyFailed(string bridge, Exception exception);
}
