using MqttCluster.Storage.Tests.Postgres;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// A whole cluster of real processes on 127.0.0.1: a PostgreSQL server of its own (initdb in a temp directory),
/// the schema from <c>mqtt-cluster-silo.dll db init</c>, grain silos, silos co-hosting a gateway and standalone
/// gateways, all with a cluster id no other fixture uses. Silos start first (gateways are Orleans clients that need
/// one), then the gateways. Disposing stops every process by its pid (SIGINT, kill -9 after a timeout), then
/// PostgreSQL. Test classes derive a fixture that says how many nodes of each kind they need. Clusters run one at a
/// time (xunit.runner.json turns off parallel collections): kill -9 scenarios measure failure detection, which
/// several clusters sharing two cores would distort.
/// </summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private static readonly TimeSpan DbInitTimeout = TimeSpan.FromSeconds(90);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"mqtt-multinode-{Guid.NewGuid():N}");
    private readonly List<NodeProcess> _nodes = [];
    private PostgresServer? _postgres;

    /// <summary>Silos that run grains only.</summary>
    protected virtual int GrainSiloCount => 2;

    /// <summary>Silos that also serve MQTT (a co-hosted gateway).</summary>
    protected virtual int GatewaySiloCount => 0;

    /// <summary>Standalone gateway processes.</summary>
    protected virtual int GatewayCount => 2;

    /// <summary>Settings every silo gets beyond cluster and ports, e.g. a log level.</summary>
    protected virtual string[] SiloArguments => [];

    /// <summary>Settings every standalone gateway gets beyond cluster and ports.</summary>
    protected virtual string[] GatewayArguments => [];

    public string ClusterId { get; } = $"multinode-{Guid.NewGuid():N}"[..22];

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("PostgreSQL has not been started.");

    /// <summary>Every node, by name (nodes of one kind start in parallel and finish in any order).</summary>
    public IReadOnlyList<NodeProcess> Nodes
    {
        get
        {
            lock (_nodes)
            {
                return [.. _nodes.OrderBy(n => n.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>silo-1, silo-2, ...</summary>
    public IReadOnlyList<NodeProcess> GrainSilos => [.. Nodes.Where(n => n.Kind == NodeKind.GrainSilo)];

    /// <summary>silo+gateway-1, ...</summary>
    public IReadOnlyList<NodeProcess> GatewaySilos => [.. Nodes.Where(n => n.Kind == NodeKind.GatewaySilo)];

    /// <summary>The standalone gateways: gateway-1, gateway-2, ...</summary>
    public IReadOnlyList<NodeProcess> Gateways => [.. Nodes.Where(n => n.Kind == NodeKind.Gateway)];

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        try
        {
            _postgres = await PostgresServer.StartAsync();
            await InitialiseSchemaAsync();
            var silos = Enumerable.Range(1, GrainSiloCount).Select(i => StartNodeAsync($"silo-{i}", NodeKind.GrainSilo))
                .Concat(Enumerable.Range(1, GatewaySiloCount).Select(i => StartNodeAsync($"silo+gateway-{i}", NodeKind.GatewaySilo)));
            await Task.WhenAll(silos);
            await Task.WhenAll(Enumerable.Range(1, GatewayCount).Select(i => StartNodeAsync($"gateway-{i}", NodeKind.Gateway)));
        }
        catch (Exception exception)
        {
            var description = Describe();
            await DisposeAsync();
            throw new InvalidOperationException($"The cluster did not start: {exception.Message}\n{description}", exception);
        }
    }

    /// <summary>Stops every node (gateways first, so their clients hear goodbye while the grains are still there;
    /// then the silos one after another, as an operator shuts a cluster down: silos leaving all at once race each
    /// other's shutdown and Orleans logs the calls it could not deliver), keeping PostgreSQL and with it all stored
    /// state. Returns each node's exit code (null: had to be killed).</summary>
    public async Task<IReadOnlyDictionary<string, int?>> StopAllAsync()
    {
        var exitCodes = new Dictionary<string, int?>();
        foreach (var (name, exitCode) in await Task.WhenAll(Gateways.Select(async node => (node.Name, ExitCode: await node.StopAsync()))))
        {
            exitCodes[name] = exitCode;
        }

        foreach (var silo in (IEnumerable<NodeProcess>)[.. GatewaySilos, .. GrainSilos])
        {
            exitCodes[silo.Name] = await silo.StopAsync();
        }

        return exitCodes;
    }

    /// <summary>Starts every node that is not running again, on its old ports: silos first, then gateways.</summary>
    public async Task StartAllAsync()
    {
        await Task.WhenAll(Nodes.Where(n => n.Kind != NodeKind.Gateway && !n.IsRunning).Select(n => n.StartAgainAsync()));
        await Task.WhenAll(Gateways.Where(n => !n.IsRunning).Select(n => n.StartAgainAsync()));
    }

    /// <summary>Every node's settings and recent output, for failure messages.</summary>
    public string Describe(int outputLines = 60) =>
        $"cluster {ClusterId}, PostgreSQL on 127.0.0.1:{_postgres?.Port}\n" + string.Join('\n', Nodes.Select(n => n.Describe(outputLines)));

    /// <summary>Log lines at error level or worse from any node, each prefixed with the node's name.</summary>
    public IReadOnlyList<string> ErrorLines() => [.. Nodes.SelectMany(n => n.ErrorLines().Select(l => $"{n.Name}: {l}"))];

    public virtual async Task DisposeAsync()
    {
        try
        {
            try
            {
                // Each stop is bounded (SIGINT, then kill -9); this bounds the whole.
                await StopAllAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
            }

            foreach (var node in Nodes)
            {
                await node.DisposeAsync();
            }
        }
        finally
        {
            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }

            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private async Task StartNodeAsync(string name, NodeKind kind)
    {
        var node = await NodeProcess.StartAsync(name, kind, Postgres.ConnectionString, ClusterId, _directory, kind == NodeKind.Gateway ? GatewayArguments : SiloArguments);
        lock (_nodes)
        {
            _nodes.Add(node);
        }
    }

    private async Task InitialiseSchemaAsync()
    {
        await using var init = ChildProcess.Start(
            TestAssets.DotnetHost,
            [TestAssets.SiloAssembly, "db", "init", $"--Cluster:PostgresConnectionString={Postgres.ConnectionString}"],
            _directory);
        await init.AssertSucceedsAsync(DbInitTimeout);
        Assert.Contains("Database schema is up to date.", init.Output.Lines);
    }
}
