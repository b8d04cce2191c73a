namespace MqttCluster.Gateway.Connections;

/// <summary>A connection's permissions under one version of the ACL.</summary>
internal sealed record PermissionsSnapshot(long Version, Security.IClientPermissions Permissions);
