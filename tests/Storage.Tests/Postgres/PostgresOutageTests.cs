using Microsoft.Extensions.Logging;
using MqttCluster.Storage.Postgres;
using Npgsql;
using Orleans.Storage;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>PostgreSQL going away and coming back under the grain storage. Its own server: the test stops it.</summary>
public sealed class PostgresOutageTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly GrainId Grain = GrainId.Create("test", "outage");

    [Fact]
    public async Task ServerDown_FailsLoudlyWithAClearLogLine_AndTheNextOperationAfterRestartSucceeds()
    {
        await PostgresSchema.ApplyAsync(server.ConnectionString);
        var logger = new RecordingLogger<PostgresGrainStorage>();
        await using var storage = DirectPostgresStorage.Create(server.ConnectionString, logger);
        var state = new GrainState<TestState>(new TestState { Text = "before" });
        await storage.WriteStateAsync("state", Grain, state);

        // Several pooled connections, so a restart leaves more than one dead connection behind.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => storage.ReadStateAsync("state", Grain, new GrainState<TestState>(new TestState()))));
        await server.StopAsync();

        state.State = new TestState { Text = "during" };
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => storage.WriteStateAsync("state", Grain, state));
        var failure = Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Error);
        Assert.Contains("unreachable or restarting", failure.Message, StringComparison.Ordinal);
        Assert.Contains("write state state of grain test/outage", failure.Message, StringComparison.Ordinal);
        Assert.IsType<NpgsqlException>(failure.Exception, exactMatch: false);

        await server.RestartAsync();

        state.State = new TestState { Text = "after" };
        await storage.WriteStateAsync("state", Grain, state);
        var read = new GrainState<TestState>(new TestState());
        await storage.ReadStateAsync("state", Grain, read);
        Assert.Equal("after", read.State?.Text);
        Assert.Equal("2", read.ETag);
        Assert.Single(logger.Entries, entry => entry.Level == LogLevel.Error);
    }
}
