namespace MqttCluster.Core.Security;

/// <summary>One <c>topic</c> or <c>pattern</c> line of an ACL file.</summary>
/// <param name="Kind">The keyword.</param>
/// <param name="Access">The access word; <see cref="AclAccess.ReadWrite"/> when the line has none.</param>
/// <param name="Filter">The topic filter as written; for patterns still containing <c>%c</c>/<c>%u</c>.</param>
/// <param name="Line">1-based line number, for diagnostics and for <see cref="AclDecision.Line"/>.</param>
public sealed record AclRule(AclRuleKind Kind, AclAccess Access, string Filter, int Line);
