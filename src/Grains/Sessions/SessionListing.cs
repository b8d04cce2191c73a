namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Where one persistent session is listed outside its grain: its entry in its session registry partition (next due
/// moment, offline filters, queue depth) and its offline routes in the route index. The grain calls it on the
/// grain's scheduler; it keeps <see cref="SessionState.OfflineRoutesRegistered"/>.
/// </summary>
internal sealed class SessionListing(IGrainFactory grainFactory, string clientId)
{
    private ISessionRegistryGrain Registry => grainFactory.GetGrain<ISessionRegistryGrain>(ISessionRegistryGrain.Partition(clientId));

    /// <summary>
    /// Registers (offline) or removes (online, ended) the session's non-shared filters as routes. The registry entry
    /// is written first: a route index that starts afresh reads the routes from it, and one that started since it was
    /// read gets them from the call that follows, so neither misses the change.
    /// </summary>
    public async Task SetOfflineRoutesAsync(SessionState state, bool offline, bool register)
    {
        var filters = register ? NonSharedFilters(state) : [];
        if (!register && !state.OfflineRoutesRegistered)
        {
            return;
        }

        if (state.Persistent)
        {
            await ReportAsync(state, offline, filters);
        }

        await grainFactory.GetGrain<IRouteIndexGrain>(0).SetSessionRoutesAsync(clientId, filters);
        state.OfflineRoutesRegistered = filters.Length > 0;
    }

    /// <summary>Tells the registry when to check the session next (offline: will or expiry; owned by a connection:
    /// never) with the offline routes it has now.</summary>
    public Task ReportAsync(SessionState state, bool offline) =>
        ReportAsync(state, offline, state.OfflineRoutesRegistered ? NonSharedFilters(state) : []);

    public Task ReportQueuedAsync(SessionState state) => Registry.SetQueuedAsync(clientId, state.Queue.Count);

    public Task RemoveAsync() => Registry.RemoveAsync(clientId);

    private Task ReportAsync(SessionState state, bool offline, string[] offlineFilters) =>
        Registry.SetAsync(clientId, new SessionRegistryEntry(offline ? SessionTimetable.NextDue(state) : null, offlineFilters, state.Queue.Count));

    private static string[] NonSharedFilters(SessionState state) =>
        [.. state.Subscriptions.Keys.Where(f => !f.StartsWith("$share/", StringComparison.Ordinal))];
}
