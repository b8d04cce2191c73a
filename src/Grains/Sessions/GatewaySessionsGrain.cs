namespace MqttCluster.Grains.Sessions;

/// <summary>See <see cref="IGatewaySessionsGrain"/>. In memory: if this grain's silo dies, the gateway's
/// sessions are still told about it by whichever gateway they reconnect through (takeover).</summary>
public sealed class GatewaySessionsGrain : Grain, IGatewaySessionsGrain
{
    private readonly GatewaySessionsState _state = new();

    /// <summary>The sessions the gateway held when it was declared dead, for deliveries to it still failing.</summary>
    private KeyValuePair<string, long>[] _lost = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        DelayDeactivation(TimeSpan.FromDays(3650));
        return Task.CompletedTask;
    }

    public Task AddAsync(string clientId, long epoch)
    {
        _state.Epochs[clientId] = epoch;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string clientId, long epoch)
    {
        if (_state.Epochs.TryGetValue(clientId, out var current) && current == epoch)
        {
            _state.Epochs.Remove(clientId);
        }

        return Task.CompletedTask;
    }

    public async Task RescueAsync(BrokerMessage[] messages)
    {
        var sessions = _state.Epochs.Count > 0 ? _state.Epochs.ToArray() : _lost;
        foreach (var chunk in sessions.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Key).RescueAsync(s.Value, messages)));
        }
    }

    public async Task GatewayLostAsync()
    {
        var sessions = _state.Epochs.ToArray();
        _lost = sessions;
        _state.Epochs.Clear();
        foreach (var chunk in sessions.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Key).OwnerLostAsync(s.Value)));
        }

        DeactivateOnIdle();
    }
}
