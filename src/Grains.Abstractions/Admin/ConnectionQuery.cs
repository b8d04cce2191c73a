namespace MqttCluster.Grains;

/// <summary>Which connections to list: filters (empty = any) and the page.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.ConnectionQuery")]
public sealed record ConnectionQuery
{
    /// <summary>Client ids starting with this.</summary>
    [Id(0)] public string ClientIdPrefix { get; init; } = string.Empty;

    /// <summary>Logged in with exactly this username.</summary>
    [Id(1)] public string Username { get; init; } = string.Empty;

    /// <summary>Connected to the gateway of this node name.</summary>
    [Id(2)] public string Node { get; init; } = string.Empty;

    [Id(3)] public int Offset { get; init; }

    [Id(4)] public int Count { get; init; } = 100;

    public bool Matches(ConnectionSummary connection) =>
        connection.ClientId.StartsWith(ClientIdPrefix, StringComparison.Ordinal) &&
        (Username.Length == 0 || connection.Username == Username) &&
        (Node.Length == 0 || connection.Node == Node);
}
