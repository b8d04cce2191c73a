using MqttCluster.Storage.Postgres;
using Orleans.Storage;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>The provider used directly, as two silos (or a zombie activation) sharing one database would use it.</summary>
public sealed class PostgresGrainStorageTests(PostgresServer server) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private const string StateName = "state";
    private readonly GrainId _grain = GrainId.Create("test", "retained/" + Guid.NewGuid().ToString("N"));
    private readonly List<PostgresGrainStorage> _instances = [];

    public Task InitializeAsync() => PostgresSchema.ApplyAsync(server.ConnectionString);

    public async Task DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }
    }

    [Fact]
    public async Task WrittenState_IsReadByAnotherInstance()
    {
        var writer = Storage();
        var reader = Storage();
        var written = NewState("hello", [1, 2, 3]);

        await writer.WriteStateAsync(StateName, _grain, written);
        var read = new GrainState<TestState>(new TestState());
        await reader.ReadStateAsync(StateName, _grain, read);

        Assert.Equal("1", written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal("hello", Value(read).Text);
        Assert.Equal([1, 2, 3], Value(read).Payload);
    }

    [Fact]
    public async Task MissingRow_ReadsDefaultStateWithoutRecord()
    {
        var state = NewState("left over from before", [9]);
        state.ETag = "7";
        state.RecordExists = true;

        await Storage().ReadStateAsync(StateName, _grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("", Value(state).Text);
        Assert.Empty(Value(state).Payload);
    }

    [Fact]
    public async Task UpdateWithStaleETag_ThrowsInconsistentStateException()
    {
        var first = Storage();
        var second = Storage();
        var firstState = NewState("v1", []);
        await first.WriteStateAsync(StateName, _grain, firstState);
        var secondState = new GrainState<TestState>(new TestState());
        await second.ReadStateAsync(StateName, _grain, secondState);

        firstState.State = new TestState { Text = "v2" };
        await first.WriteStateAsync(StateName, _grain, firstState);
        secondState.State = new TestState { Text = "stale" };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => second.WriteStateAsync(StateName, _grain, secondState));

        Assert.Equal("2", conflict.StoredEtag);
        Assert.Equal("1", conflict.CurrentEtag);
        Assert.Equal("1", secondState.ETag);
        await AssertStoredAsync("v2", "2");
    }

    [Fact]
    public async Task InsertWhenRowExists_ThrowsInconsistentStateException()
    {
        await Storage().WriteStateAsync(StateName, _grain, NewState("first", []));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => Storage().WriteStateAsync(StateName, _grain, NewState("second", [])));

        Assert.Equal("1", conflict.StoredEtag);
        await AssertStoredAsync("first", "1");
    }

    [Fact]
    public async Task ConcurrentWritersWithTheSameETag_ExactlyOneWins()
    {
        var state = NewState("v1", []);
        await Storage().WriteStateAsync(StateName, _grain, state);
        var writers = Enumerable.Range(0, 8).Select(i => (Storage: Storage(), State: new GrainState<TestState>(new TestState { Text = $"w{i}" }) { ETag = "1" })).ToArray();

        var outcomes = await Task.WhenAll(writers.Select(async writer =>
        {
            try
            {
                await writer.Storage.WriteStateAsync(StateName, _grain, writer.State);
                return writer.State.State?.Text;
            }
            catch (InconsistentStateException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(outcomes, outcome => outcome is not null);
        await AssertStoredAsync(winner!, "2");
    }

    [Fact]
    public async Task ForeignETag_ThrowsInconsistentStateException()
    {
        var state = NewState("x", []);
        state.ETag = "W/\"0x8D\"";

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage().WriteStateAsync(StateName, _grain, state));
    }

    [Fact]
    public async Task Clear_DeletesRowAndResetsState()
    {
        var storage = Storage();
        var state = NewState("gone soon", [1]);
        await storage.WriteStateAsync(StateName, _grain, state);

        await storage.ClearStateAsync(StateName, _grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal("", Value(state).Text);
        var read = new GrainState<TestState>(new TestState());
        await Storage().ReadStateAsync(StateName, _grain, read);
        Assert.False(read.RecordExists);

        // After a clear the grain starts over: the next write inserts again.
        state.State = new TestState { Text = "again" };
        await storage.WriteStateAsync(StateName, _grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task ClearWithStaleETag_ThrowsAndKeepsRow()
    {
        var first = Storage();
        var second = Storage();
        var firstState = NewState("v1", []);
        await first.WriteStateAsync(StateName, _grain, firstState);
        var secondState = new GrainState<TestState>(new TestState());
        await second.ReadStateAsync(StateName, _grain, secondState);
        firstState.State = new TestState { Text = "v2" };
        await first.WriteStateAsync(StateName, _grain, firstState);

        await Assert.ThrowsAsync<InconsistentStateException>(() => second.ClearStateAsync(StateName, _grain, secondState));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => second.ClearStateAsync(StateName, _grain, new GrainState<TestState>(new TestState())));

        await AssertStoredAsync("v2", "2");
    }

    [Fact]
    public async Task LargeState_RoundTrips()
    {
        var payload = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(payload);

        await Storage().WriteStateAsync(StateName, _grain, NewState("large", payload));
        var read = new GrainState<TestState>(new TestState());
        await Storage().ReadStateAsync(StateName, _grain, read);

        Assert.Equal(payload, Value(read).Payload);
    }

    [Fact]
    public async Task DatabaseWithoutSchema_FailsWithTheCommandToRun()
    {
        var storage = Storage(await server.CreateDatabaseAsync());

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => storage.ReadStateAsync(StateName, _grain, new GrainState<TestState>(new TestState())));

        Assert.Contains("db init", failure.Message, StringComparison.Ordinal);
    }

    private PostgresGrainStorage Storage(string? connectionString = null)
    {
        var storage = DirectPostgresStorage.Create(connectionString ?? server.ConnectionString);
        _instances.Add(storage);
        return storage;
    }

    private async Task AssertStoredAsync(string text, string eTag)
    {
        var read = new GrainState<TestState>(new TestState());
        await Storage().ReadStateAsync(StateName, _grain, read);
        Assert.Equal(text, Value(read).Text);
        Assert.Equal(eTag, read.ETag);
    }

    private static TestState Value(GrainState<TestState> state) => Assert.IsType<TestState>(state.State);

    private static GrainState<TestState> NewState(string text, byte[] payload) => new(new TestState { Text = text, Payload = payload });
}
