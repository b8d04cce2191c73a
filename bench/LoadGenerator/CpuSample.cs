using System.Diagnostics;

namespace MqttCluster.LoadGenerator;

/// <summary>CPU time of the generator and of the observed broker processes, and the brokers' context switches, at one
/// instant.</summary>
public readonly record struct CpuSample(long Timestamp, TimeSpan Generator, TimeSpan Broker, long BrokerContextSwitches)
{
    public static CpuSample Take(IReadOnlyList<int> brokerPids) =>
        new(Stopwatch.GetTimestamp(), ProcessCpu.OfThisProcess(), ProcessCpu.Of(brokerPids), ProcessContextSwitches.Of(brokerPids));

    public double SecondsSince(CpuSample earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;
}
