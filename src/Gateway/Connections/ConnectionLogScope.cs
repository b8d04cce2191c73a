using System.Collections;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The logging scope of one MQTT connection: its transport connection id and, once CONNECT was read, the client
/// id. Every log line written while serving the connection carries both (console with scopes, OTLP attributes).
/// </summary>
internal sealed class ConnectionLogScope(string connectionId, MqttConnection connection) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", connectionId),
        1 => new("ClientId", connection.ClientId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"connection {connectionId}, client '{connection.ClientId}'";
}
