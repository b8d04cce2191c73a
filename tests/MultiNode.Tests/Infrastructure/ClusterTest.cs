using System.Runtime.CompilerServices;
using MQTTnet;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// Base of the multi-node tests: clients connected to the class's cluster are closed after each test, measured
/// times go to the test output, and a test fails when a node logged an error meanwhile (unless the test kills
/// nodes, where errors about the dead node are part of the scenario and only reported).
/// </summary>
public abstract class ClusterTest<TFixture>(TFixture cluster, ITestOutputHelper output) : IAsyncLifetime
    where TFixture : ClusterFixture
{
    private readonly List<MqttTestClient> _clients = [];
    private int _errorsBefore;

    protected TFixture Cluster => cluster;

    protected ITestOutputHelper Output => output;

    /// <summary>False for scenarios that kill nodes: the survivors may rightly log errors about the dead one.</summary>
    protected virtual bool NodeErrorsFailTheTest => true;

    public Task InitializeAsync()
    {
        _errorsBefore = cluster.ErrorLines().Count;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }

        var errors = cluster.ErrorLines().Skip(_errorsBefore).ToList();
        if (errors.Count > 0 && !NodeErrorsFailTheTest)
        {
            output.WriteLine($"Errors logged by the nodes (expected after a node was killed):\n{string.Join('\n', errors)}");
        }

        Assert.True(
            errors.Count == 0 || !NodeErrorsFailTheTest,
            $"Nodes logged errors during the test:\n{string.Join('\n', errors)}\n{cluster.Describe()}");
    }

    /// <summary>A topic no other test uses.</summary>
    protected static string NewTopic([CallerMemberName] string test = "") => $"{test}/{Guid.NewGuid():N}";

    /// <summary>A payload that cannot be confused with anything else a test sends.</summary>
    protected static string NewMarker() => $"marker-{Guid.NewGuid():N}";

    /// <summary>Connects an MQTT 5 client to <paramref name="gateway"/>; it is closed after the test.</summary>
    protected async Task<MqttTestClient> ConnectAsync(
        NodeProcess gateway,
        MqttTransport transport = MqttTransport.Tcp,
        string? clientId = null,
        Action<MqttClientOptionsBuilder>? configure = null)
    {
        var client = await MqttTestClient.ConnectAsync(gateway, transport, clientId, configure, () => cluster.Describe());
        _clients.Add(client);
        return client;
    }

    /// <summary>The cluster's processes and their output, for failure messages.</summary>
    protected string Describe() => cluster.Describe();
}
