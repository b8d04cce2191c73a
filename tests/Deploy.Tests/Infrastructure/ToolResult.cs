namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>What a tool printed and how it exited.</summary>
internal sealed record ToolResult(int ExitCode, string Output, string Errors, string CommandLine)
{
    public string Both => Output + Errors;

    public IEnumerable<string> Lines => Both.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"{CommandLine} exited {ExitCode}:\n{Both}";
}
