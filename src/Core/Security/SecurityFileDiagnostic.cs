namespace MqttCluster.Core.Security;

/// <summary>One problem with one line of a password or ACL file.</summary>
/// <param name="File">The file as it was named to <c>Load</c> or <c>Parse</c>.</param>
/// <param name="Line">1-based line number; 0 when the finding is about the file as a whole.</param>
/// <param name="Message">What is wrong and, where possible, what to write instead.</param>
public sealed record SecurityFileDiagnostic(string File, int Line, string Message)
{
    /// <summary>Compiler-style <c>file:line: message</c>, the format editors and CI logs link.</summary>
    public override string ToString() => $"{File}:{Line}: {Message}";
}
