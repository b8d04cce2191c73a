namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>A span as OpenTelemetry's console exporter printed it.</summary>
public sealed record ConsoleSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Source)
{
    /// <summary>Every complete span block in a process's output ("Activity.TraceId: ..." up to its scope name).</summary>
    public static IReadOnlyList<ConsoleSpan> Parse(IEnumerable<string> lines)
    {
        var spans = new List<ConsoleSpan>();
        Dictionary<string, string>? fields = null;
        var inScope = false;
        foreach (var line in lines)
        {
            if (line.StartsWith("Activity.TraceId:", StringComparison.Ordinal))
            {
                fields = [];
                inScope = false;
            }

            if (fields is null)
            {
                continue;
            }

            if (line.StartsWith("Activity.", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                fields[line[..colon]] = line[(colon + 1)..].Trim();
            }
            else if (line.StartsWith("Instrumentation scope", StringComparison.Ordinal))
            {
                inScope = true;
            }
            else if (inScope && line.TrimStart().StartsWith("Name:", StringComparison.Ordinal))
            {
                spans.Add(new ConsoleSpan(
                    fields["Activity.TraceId"],
                    fields["Activity.SpanId"],
                    fields.GetValueOrDefault("Activity.ParentSpanId"),
                    fields["Activity.DisplayName"],
                    line.TrimStart()["Name:".Length..].Trim()));
                fields = null;
            }
        }

        return spans;
    }
}
