namespace MqttCluster.Gateway.Security;

/// <summary>What a client presents at CONNECT.</summary>
public sealed record ClientCredentials(string ClientId, string? Username, byte[]? Password, string? CertificateIdentity, string Endpoint);
