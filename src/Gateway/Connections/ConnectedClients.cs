using System.Collections.Concurrent;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The live connection of each client id on this gateway. A second CONNECT with the same id takes the session
/// over: the old connection is closed [MQTT-3.1.4-3], never the new one.
/// </summary>
public sealed class ConnectedClients
{
    private readonly ConcurrentDictionary<string, MqttConnection> _connections = new(StringComparer.Ordinal);

    public int Count => _connections.Count;

    /// <summary>Makes <paramref name="connection"/> the owner of its client id; returns the connection it replaced.</summary>
    public MqttConnection? TakeOver(string clientId, MqttConnection connection)
    {
        MqttConnection? previous = null;
        _connections.AddOrUpdate(
            clientId,
            connection,
            (_, existing) =>
            {
                previous = existing;
                return connection;
            });
        return ReferenceEquals(previous, connection) ? null : previous;
    }

    /// <summary>Removes the entry only if it still belongs to <paramref name="connection"/>.</summary>
    public void Remove(string clientId, MqttConnection connection) =>
        _connections.TryRemove(new KeyValuePair<string, MqttConnection>(clientId, connection));
}
