namespace MqttCluster.Gateway.Admin;

/// <summary>A connected client as the REST API lists it: where it is connected and how much it has waiting.</summary>
public sealed record AdminClient(string ClientId, string? Username, string Endpoint, string ProtocolVersion, string Node, int QueuedMessages, int InflightMessages);
