namespace MqttCluster.Core.Configuration;

/// <summary>One finding about one line of a configuration file.</summary>
/// <param name="Severity">Whether the broker may start despite it.</param>
/// <param name="File">The file the line is in, as it was named (the main file, or one from <c>include_dir</c>).</param>
/// <param name="Line">1-based line number; 0 when the finding is about the file as a whole.</param>
/// <param name="Option">The option name on that line, or "" for lines without one.</param>
/// <param name="Message">What is wrong and, where possible, what to write instead.</param>
public sealed record ConfigDiagnostic(ConfigSeverity Severity, string File, int Line, string Option, string Message)
{
    /// <summary>Compiler-style <c>file:line: error: option: message</c>, the format editors and CI logs link.</summary>
    public override string ToString()
    {
        var severity = Severity == ConfigSeverity.Error ? "error" : "warning";
        var option = Option.Length == 0 ? "" : $"{Option}: ";
        return $"{File}:{Line}: {severity}: {option}{Message}";
    }
}
