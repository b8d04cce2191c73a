namespace MqttCluster.Gateway.Admin;

/// <summary>A client connected to this gateway, as the REST API lists it.</summary>
public sealed record AdminClient(string ClientId, string? Username, string Endpoint, string ProtocolVersion);
