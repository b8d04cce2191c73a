namespace MqttCluster.Core.Security;

/// <summary>The result of an ACL check and the line that decided it, so a refusal can be logged with its cause.</summary>
/// <param name="Outcome">Allowed, denied by a rule, or not granted by any.</param>
/// <param name="Line">The ACL file line of the deciding rule; 0 for <see cref="AclOutcome.NotGranted"/>.</param>
public readonly record struct AclDecision(AclOutcome Outcome, int Line)
{
    public static AclDecision NotGranted => new(AclOutcome.NotGranted, 0);

    public bool IsAllowed => Outcome == AclOutcome.Allowed;

    public override string ToString() => Outcome switch
    {
        AclOutcome.Allowed => $"allowed by ACL line {Line}",
        AclOutcome.Denied => $"denied by ACL line {Line}",
        _ => "not granted by any ACL line",
    };
}
