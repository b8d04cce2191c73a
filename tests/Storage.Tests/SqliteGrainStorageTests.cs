using Microsoft.Data.Sqlite;
using Orleans.Storage;

namespace MqttCluster.Storage.Tests;

/// <summary>The provider used directly, as two silos (or a zombie activation) sharing one file would use it.</summary>
public sealed class SqliteGrainStorageTests : IDisposable
{
    private const string StateName = "state";
    private static readonly GrainId Grain = GrainId.Create("test", "retained/a");
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WrittenState_IsReadByAnotherInstance(bool synchronousFull)
    {
        var writer = DirectStorage.Create(_directory.Path, synchronousFull);
        var reader = DirectStorage.Create(_directory.Path, synchronousFull);
        var written = NewState("hello", [1, 2, 3]);

        await writer.WriteStateAsync(StateName, Grain, written);
        var read = new GrainState<TestState>(new TestState());
        await reader.ReadStateAsync(StateName, Grain, read);

        Assert.Equal("1", written.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal("hello", Value(read).Text);
        Assert.Equal([1, 2, 3], Value(read).Payload);
    }

    [Fact]
    public async Task MissingRow_ReadsDefaultStateWithoutRecord()
    {
        var storage = DirectStorage.Create(_directory.Path);
        var state = NewState("left over from before", [9]);
        state.ETag = "7";
        state.RecordExists = true;

        await storage.ReadStateAsync(StateName, Grain, state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal("", Value(state).Text);
        Assert.Empty(Value(state).Payload);
    }

    [Fact]
    public async Task UpdateWithStaleETag_ThrowsInconsistentStateException()
    {
        var first = DirectStorage.Create(_directory.Path);
        var second = DirectStorage.Create(_directory.Path);
        var firstState = NewState("v1", []);
        await first.WriteStateAsync(StateName, Grain, firstState);
        var secondState = new GrainState<TestState>(new TestState());
        await second.ReadStateAsync(StateName, Grain, secondState);

        firstState.State = new TestState { Text = "v2" };
        await first.WriteStateAsync(StateName, Grain, firstState);
        secondState.State = new TestState { Text = "stale" };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => second.WriteStateAsync(StateName, Grain, secondState));

        Assert.Equal("2", conflict.StoredEtag);
        Assert.Equal("1", conflict.CurrentEtag);
        Assert.Equal("1", secondState.ETag);
        await AssertStoredAsync("v2", "2");
    }

    [Fact]
    public async Task InsertWhenRowExists_ThrowsInconsistentStateException()
    {
        var first = DirectStorage.Create(_directory.Path);
        var second = DirectStorage.Create(_directory.Path);
        await first.WriteStateAsync(StateName, Grain, NewState("first", []));

        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(
            () => second.WriteStateAsync(StateName, Grain, NewState("second", [])));

        Assert.Equal("1", conflict.StoredEtag);
        await AssertStoredAsync("first", "1");
    }

    [Fact]
    public async Task ForeignETag_ThrowsInconsistentStateException()
    {
        var storage = DirectStorage.Create(_directory.Path);
        var state = NewState("x", []);
        state.ETag = "W/\"0x8D\"";

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, state));
    }

    [Fact]
    public async Task Clear_DeletesRowAndResetsState()
    {
        var storage = DirectStorage.Create(_directory.Path);
        var state = NewState("gone soon", [1]);
        await storage.WriteStateAsync(StateName, Grain, state);

        await storage.ClearStateAsync(StateName, Grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Equal("", Value(state).Text);
        var read = new GrainState<TestState>(new TestState());
        await DirectStorage.Create(_directory.Path).ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);

        // After a clear the grain starts over: the next write inserts again.
        state.State = new TestState { Text = "again" };
        await storage.WriteStateAsync(StateName, Grain, state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task ClearWithStaleETag_ThrowsAndKeepsRow()
    {
        var first = DirectStorage.Create(_directory.Path);
        var second = DirectStorage.Create(_directory.Path);
        var firstState = NewState("v1", []);
        await first.WriteStateAsync(StateName, Grain, firstState);
        var secondState = new GrainState<TestState>(new TestState());
        await second.ReadStateAsync(StateName, Grain, secondState);
        firstState.State = new TestState { Text = "v2" };
        await first.WriteStateAsync(StateName, Grain, firstState);

        await Assert.ThrowsAsync<InconsistentStateException>(() => second.ClearStateAsync(StateName, Grain, secondState));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => second.ClearStateAsync(StateName, Grain, new GrainState<TestState>(new TestState())));

        await AssertStoredAsync("v2", "2");
    }

    [Fact]
    public async Task ConcurrentWritesAndReads_AllSucceed()
    {
        var storage = DirectStorage.Create(_directory.Path);
        var other = DirectStorage.Create(_directory.Path);
        var states = Enumerable.Range(0, 100).Select(i => (Grain: GrainId.Create("test", $"g{i}"), State: NewState($"t{i}", [(byte)i]))).ToArray();

        // Two instances write in parallel, three rounds each, while reads run alongside.
        await Task.WhenAll(states.Select(async (entry, i) =>
        {
            var instance = i % 2 == 0 ? storage : other;
            for (var round = 0; round < 3; round++)
            {
                await Task.Yield();
                await instance.WriteStateAsync(StateName, entry.Grain, entry.State);
                await instance.ReadStateAsync(StateName, entry.Grain, new GrainState<TestState>(new TestState()));
            }
        }));

        foreach (var (grain, state) in states)
        {
            var read = new GrainState<TestState>(new TestState());
            await storage.ReadStateAsync(StateName, grain, read);
            Assert.Equal("3", read.ETag);
            Assert.Equal(Value(state).Text, Value(read).Text);
        }
    }

    [Fact]
    public async Task Database_UsesWalJournal()
    {
        var storage = DirectStorage.Create(_directory.Path);
        await storage.WriteStateAsync(StateName, Grain, NewState("x", []));

        await using var connection = new SqliteConnection($"Data Source={storage.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";

        Assert.Equal("wal", await command.ExecuteScalarAsync());
    }

    private async Task AssertStoredAsync(string text, string eTag)
    {
        var read = new GrainState<TestState>(new TestState());
        await DirectStorage.Create(_directory.Path).ReadStateAsync(StateName, Grain, read);
        Assert.Equal(text, Value(read).Text);
        Assert.Equal(eTag, read.ETag);
    }

    private static TestState Value(GrainState<TestState> state) => Assert.IsType<TestState>(state.State);

    private static GrainState<TestState> NewState(string text, byte[] payload) => new(new TestState { Text = text, Payload = payload });
}
