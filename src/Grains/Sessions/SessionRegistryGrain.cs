namespace MqttCluster.Grains.Sessions;

/// <summary>One partition of the persistent-session list (see <see cref="ISessionRegistryGrain"/>).</summary>
public sealed class SessionRegistryGrain(
    [PersistentState("sessions", StorageNames.Broker)] IPersistentState<SessionRegistryState> state) : Grain, ISessionRegistryGrain
{
    public async Task AddAsync(string clientId)
    {
        if (state.State.ClientIds.Add(clientId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string clientId)
    {
        if (state.State.ClientIds.Remove(clientId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> GetClientIdsAsync() => Task.FromResult(state.State.ClientIds.ToArray());
}
