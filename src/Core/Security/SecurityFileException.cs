namespace MqttCluster.Core.Security;

/// <summary>
/// A password or ACL file has errors. All of them are listed, not only the first, so one edit fixes the file; the
/// broker must refuse to start (or keep the previous file on reload) rather than run with part of it.
/// </summary>
public sealed class SecurityFileException(IReadOnlyList<SecurityFileDiagnostic> errors)
    : FormatException(string.Join(Environment.NewLine, errors))
{
    /// <summary>Every error found, in file order.</summary>
    public IReadOnlyList<SecurityFileDiagnostic> Errors { get; } = errors;
}
