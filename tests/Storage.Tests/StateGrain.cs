namespace MqttCluster.Storage.Tests;

public sealed class StateGrain([PersistentState("state", StorageTestCluster.StorageName)] IPersistentState<TestState> state)
    : Grain, IStateGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public Task<StateSnapshot> Get() => Task.FromResult(
        new StateSnapshot(state.State.Text, state.State.Payload, state.RecordExists, state.Etag, _activationId));

    public Task Set(string text, byte[] payload)
    {
        state.State = new TestState { Text = text, Payload = payload };
        return state.WriteStateAsync();
    }

    public Task Clear() => state.ClearStateAsync();
}
