namespace MqttCluster.Gateway.Security;

/// <summary>What a client presents at CONNECT.</summary>
/// <param name="CertificateRequired">The listener names clients by their certificate
/// (use_identity_as_username / use_subject_as_username): without one the client is refused.</param>
public sealed record ClientCredentials(string ClientId, string? Username, byte[]? Password, string? CertificateIdentity, string Endpoint, bool CertificateRequired = false);
