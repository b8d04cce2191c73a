namespace MqttCluster.Grains.Sessions;

/// <summary>See <see cref="IGatewaySessionsGrain"/>. In memory: if this grain's silo dies, the gateway's
/// sessions are still told about it by whichever gateway they reconnect through (takeover).</summary>
public sealed class GatewaySessionsGrain(TimeProvider timeProvider) : Grain, IGatewaySessionsGrain
{
    /// <summary>
    /// How long a session that left the gateway still gets its rescued messages: a topic grain may have sent them
    /// to the gateway before it learnt that the client had moved, and a delivery that fails is rescued only after
    /// its retries (several seconds): the redelivery horizon.
    /// </summary>
    public static readonly TimeSpan DepartedMemory = Core.Delivery.RedeliveryHorizon.Length;

    /// <summary>How long the registry of a gateway declared dead stays, for the rescues of deliveries still failing.</summary>
    private static readonly TimeSpan LostMemory = TimeSpan.FromMinutes(2);

    private readonly GatewaySessionsState _state = new();

    /// <summary>The sessions the gateway held when it was declared dead, for deliveries to it still failing.</summary>
    private KeyValuePair<string, long>[] _lost = [];

    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    public Task<bool> NeedsRestoreAsync() => Task.FromResult(!_restored.Task.IsCompleted);

    public Task RestoreAsync(Dictionary<string, long> sessions)
    {
        foreach (var (clientId, epoch) in sessions)
        {
            _state.Epochs.TryAdd(clientId, epoch);
        }

        _restored.TrySetResult();
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string clientId, long epoch)
    {
        if (_state.Epochs.TryGetValue(clientId, out var current) && current == epoch)
        {
            _state.Epochs.Remove(clientId);
            ForgetDeparted();
            _state.Departed.Enqueue((clientId, epoch, timeProvider.GetTimestamp()));
        }

        return Task.CompletedTask;
    }

    /// <summary>Every session that is or lately was here keeps what it subscribed to; the session grain decides
    /// whether its current connection still needs a message or has it already.</summary>
    public async Task RescueAsync(BrokerMessage[] messages, DeliveryBatch batch)
    {
        if (!_restored.Task.IsCompleted)
        {
            // A new activation (its silo stopped or died) learns the gateway's sessions at the gateway's next
            // refresh; rescuing to none of them now would lose messages their publishers are about to be told
            // were accepted. A gateway that does not refresh in that time is being declared dead.
            await _restored.Task.WaitAsync(GatewayLiveness.Expiry, timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
            if (!_restored.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The sessions of gateway {this.GetPrimaryKeyString()} are not known here: it has not refreshed its registration since this registry started.");
            }
        }

        ForgetDeparted();
        var sessions = (_state.Epochs.Count > 0 ? _state.Epochs.ToArray() : _lost)
            .Concat(_state.Departed.Select(d => KeyValuePair.Create(d.ClientId, d.Epoch)))
            .Distinct()
            .ToArray();
        foreach (var chunk in sessions.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Key).RescueAsync(s.Value, messages, batch)));
        }
    }

    public async Task GatewayLostAsync()
    {
        // Nothing more will come from this gateway: rescues go to what is known now.
        _restored.TrySetResult();
        var sessions = _state.Epochs.ToArray();
        _lost = sessions;
        _state.Epochs.Clear();
        foreach (var chunk in sessions.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(s => GrainFactory.GetGrain<ISessionGrain>(s.Key).OwnerLostAsync(s.Value)));
        }

        // Deliveries to the dead gateway still failing (each after its retries) are rescued to these sessions for a
        // while; a new activation would know none of them.
        DelayDeactivation(LostMemory);
    }

    private void ForgetDeparted()
    {
        while (_state.Departed.TryPeek(out var departed) && timeProvider.GetElapsedTime(departed.LeftAt) > DepartedMemory)
        {
            _state.Departed.Dequeue();
        }
    }
}
