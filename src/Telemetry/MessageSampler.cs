using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using OpenTelemetry.Trace;

namespace MqttCluster.Telemetry;

/// <summary>
/// Decides which messages are traced. A span with a parent follows the parent's sampled flag, so a trace is kept
/// or dropped whole across gateways and silos. A new trace starts only at a gateway receiving a PUBLISH, for the
/// configured share of messages (or never, when only messages whose publisher sent a <c>traceparent</c> are
/// traced); other roots, such as Orleans' calls made outside any message's trace, are dropped.
/// </summary>
internal sealed class MessageSampler(double ratio, bool onlyTracedMessages) : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Sample = new(SamplingDecision.RecordAndSample);

    private readonly TraceIdRatioBasedSampler _ratio = new(Math.Clamp(ratio, 0, 1));

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext.TraceId != default)
        {
            return samplingParameters.ParentContext.TraceFlags.HasFlag(ActivityTraceFlags.Recorded) ? Sample : Drop;
        }

        if (onlyTracedMessages || samplingParameters.Name != MessageSpanNames.Receive)
        {
            return Drop;
        }

        return _ratio.ShouldSample(samplingParameters);
    }
}
