namespace MqttCluster.Grains.Tests.Admin;

/// <summary>Stands in for a gateway's admin endpoint: fixed connections, and the client ids it was asked to close.
/// A broken one fails every call, as a gateway that went away does.</summary>
public sealed class ModelGatewayAdmin(string node, bool broken, params string[] clientIds) : IGatewayAdminObserver
{
    public List<string> Disconnected { get; } = [];

    public Task<ConnectionSummary[]> ListConnectionsAsync(ConnectionQuery query)
    {
        Fail();
        return Task.FromResult(clientIds
            .Select(id => new ConnectionSummary { ClientId = id, Endpoint = "127.0.0.1:1", ProtocolVersion = "V500", Node = node })
            .Where(query.Matches)
            .ToArray());
    }

    public Task<int> DisconnectAsync(string clientId)
    {
        Fail();
        lock (Disconnected)
        {
            Disconnected.Add(clientId);
        }

        return Task.FromResult(clientIds.Count(id => id == clientId));
    }

    private void Fail()
    {
        if (broken)
        {
            throw new InvalidOperationException($"gateway {node} is gone");
        }
    }
}
