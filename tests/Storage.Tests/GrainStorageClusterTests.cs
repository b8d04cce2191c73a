namespace MqttCluster.Storage.Tests;

/// <summary>The provider behind <c>[PersistentState]</c> in a real (in-process) silo.</summary>
public sealed class GrainStorageClusterTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task WrittenState_IsReadBackByANewActivation()
    {
        await using var cluster = await StorageTestCluster.StartAsync(_directory.Path);
        var grain = cluster.Client.GetGrain<IStateGrain>("retained/a");
        await grain.Set("hello", [1, 2, 3]);
        var before = await grain.Get();

        await cluster.DeactivateAsync(grain);
        var after = await grain.Get();

        Assert.NotEqual(before.ActivationId, after.ActivationId);
        Assert.True(after.RecordExists);
        Assert.Equal("1", after.ETag);
        Assert.Equal("hello", after.Text);
        Assert.Equal([1, 2, 3], after.Payload);
    }

    [Fact]
    public async Task NeverWrittenGrain_ReadsDefaultStateWithoutRecord()
    {
        await using var cluster = await StorageTestCluster.StartAsync(_directory.Path);

        var snapshot = await cluster.Client.GetGrain<IStateGrain>("never-written").Get();

        Assert.False(snapshot.RecordExists);
        Assert.Null(snapshot.ETag);
        Assert.Equal("", snapshot.Text);
        Assert.Empty(snapshot.Payload);
    }

    [Fact]
    public async Task State_SurvivesFullClusterRestart()
    {
        await using (var cluster = await StorageTestCluster.StartAsync(_directory.Path))
        {
            var grain = cluster.Client.GetGrain<IStateGrain>("retained/b");
            await grain.Set("first", [1]);
            await grain.Set("second", [2, 2]);
        }

        await using var restarted = await StorageTestCluster.StartAsync(_directory.Path);
        var again = restarted.Client.GetGrain<IStateGrain>("retained/b");
        var snapshot = await again.Get();

        Assert.True(snapshot.RecordExists);
        Assert.Equal("2", snapshot.ETag);
        Assert.Equal("second", snapshot.Text);
        Assert.Equal([2, 2], snapshot.Payload);

        // The ETag read after the restart is accepted by the next write.
        await again.Set("third", [3]);
        Assert.Equal("3", (await again.Get()).ETag);
    }

    [Fact]
    public async Task ClearedState_IsGoneAfterClusterRestart()
    {
        await using (var cluster = await StorageTestCluster.StartAsync(_directory.Path))
        {
            var grain = cluster.Client.GetGrain<IStateGrain>("retained/c");
            await grain.Set("to be cleared", [1]);
            await grain.Clear();

            var cleared = await grain.Get();
            Assert.False(cleared.RecordExists);
            Assert.Null(cleared.ETag);
            Assert.Equal("", cleared.Text);
        }

        await using var restarted = await StorageTestCluster.StartAsync(_directory.Path);
        var snapshot = await restarted.Client.GetGrain<IStateGrain>("retained/c").Get();

        Assert.False(snapshot.RecordExists);
        Assert.Null(snapshot.ETag);
        Assert.Equal("", snapshot.Text);
    }

    [Fact]
    public async Task SiloStart_CreatesMissingDataDirectoryAndDatabase()
    {
        var dataDirectory = Path.Combine(_directory.Path, "nested", "data");
        Assert.False(Directory.Exists(dataDirectory));

        await using var cluster = await StorageTestCluster.StartAsync(dataDirectory);

        // Before any grain touched storage: the silo lifecycle opened the database.
        Assert.True(File.Exists(Path.Combine(dataDirectory, "broker.db")));
    }
}
