namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>One ACL of a role: a higher priority is checked first, and the first ACL that matches decides.</summary>
public sealed record DynsecAcl(string AclType, string Topic, int Priority, bool Allow);
