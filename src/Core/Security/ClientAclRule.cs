namespace MqttCluster.Core.Security;

/// <summary>
/// An ACL rule as it applies to one client: patterns already substituted.
/// </summary>
/// <param name="Filter">The filter to match topics against.</param>
/// <param name="Access">The rule's access word.</param>
/// <param name="Line">The ACL file line, reported in <see cref="AclDecision"/>.</param>
/// <param name="MatchesReserved">
/// False unless the rule as written starts with '$'. Mosquitto skips every rule not starting with '$' for a topic
/// starting with '$'; for literal filters [MQTT-4.7.2-1] already gives that, but a pattern like <c>%c/#</c> would
/// otherwise hand <c>$SYS</c> to a client calling itself "$SYS".
/// </param>
/// <param name="MatchesEverything">
/// A deny pattern whose substitution is not a valid filter: it fails closed and denies every topic.
/// </param>
internal readonly record struct ClientAclRule(string Filter, AclAccess Access, int Line, bool MatchesReserved, bool MatchesEverything);
