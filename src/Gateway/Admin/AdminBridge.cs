using System.Text.Json.Nodes;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// A bridge as the REST API shows it: where it is defined (<c>api</c>: in cluster storage, through the API;
/// <c>configuration</c>: in the nodes' configuration), its status, and for a bridge of the API its options.
/// </summary>
public sealed record AdminBridge(
    string Name,
    string Source,
    bool Running,
    bool Connected,
    string? Address,
    int Queued,
    long Sent,
    long Received,
    long Dropped,
    string? Silo,
    JsonObject? Options);
