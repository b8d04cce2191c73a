namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// The outcome of one command batch: the response payload for <c>$CONTROL/dynamic-security/v1/response</c>,
/// whether the state changed, the commands that changed it (for the audit log), and which connections must be
/// disconnected so their new permissions apply from a fresh CONNECT and SUBSCRIBE (as the plugin kicks them).
/// </summary>
public sealed record DynsecBatchResult(string Response, bool Changed, IReadOnlyList<string> Changes, IReadOnlySet<string> KickedUsernames, bool KickAnonymous);
