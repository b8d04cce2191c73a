using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>An OpenTelemetry processor that keeps every ended span, for tests to look at the traces.</summary>
public sealed class SpanCollector : BaseProcessor<Activity>
{
    private readonly ConcurrentQueue<Activity> _spans = new();

    public IReadOnlyList<Activity> Spans => [.. _spans];

    public override void OnEnd(Activity data) => _spans.Enqueue(data);

    /// <summary>The spans of one trace once <paramref name="count"/> of them named <paramref name="name"/> have ended.</summary>
    public async Task<IReadOnlyList<Activity>> TraceAsync(ActivityTraceId traceId, string name, int count = 1)
    {
        IReadOnlyList<Activity> trace = [];
        await Within.PollAsync(
            () =>
            {
                trace = [.. Spans.Where(s => s.TraceId == traceId)];
                return Task.FromResult(trace.Count(s => s.DisplayName == name) >= count);
            },
            $"{count} '{name}' span(s) in trace {traceId} (have: {string.Join(", ", trace.Select(s => s.DisplayName))})",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(20));
        return trace;
    }
}
