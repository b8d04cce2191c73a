namespace MqttCluster.Core.Configuration;

/// <summary>How bad a <see cref="ConfigDiagnostic"/> is. The broker refuses to start on any <see cref="Error"/>.</summary>
public enum ConfigSeverity
{
    /// <summary>The line is ignored or adjusted; the broker behaves safely without it.</summary>
    Warning,

    /// <summary>The line is malformed, or ignoring it would change who may connect or weaken security.</summary>
    Error,
}
