using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The bridges defined at run time (see <see cref="IBridgeRegistryGrain"/>). A change is stored first, then applied
/// to the bridge's grain at once; the silos' keepers read the stored definitions every round, so a change also
/// reaches a bridge whose grain could not be called just then, and a stopped or removed bridge stays so.
/// </summary>
public sealed partial class BridgeRegistryGrain(
    [PersistentState("bridges", StorageNames.Broker)] IPersistentState<BridgeRegistryState> state,
    ILogger<BridgeRegistryGrain> logger) : Grain, IBridgeRegistryGrain
{
    public Task<ManagedBridge[]> ListAsync() =>
        Task.FromResult(state.State.Bridges.Values.OrderBy(b => b.Options.Name, StringComparer.Ordinal).ToArray());

    public async Task<bool> PutAsync(BridgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var added = !state.State.Bridges.TryGetValue(options.Name, out var existing);
        var bridge = new ManagedBridge(options, existing?.Running ?? true);
        state.State.Bridges[options.Name] = bridge;
        await state.WriteStateAsync();
        await ApplyAsync(bridge);
        return added;
    }

    public async Task<bool> SetRunningAsync(string name, bool running)
    {
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
        if (!state.State.Bridges.Remove(name, out var removed))
        {
            return false;
        }

        await state.WriteStateAsync();
        await ApplyAsync(removed with { Running = false });
        return true;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: applying its managed definition failed; the silos' bridge keepers apply it at their next round")]
    private partial void LogApplyFailed(string bridge, Exception exception);
}
