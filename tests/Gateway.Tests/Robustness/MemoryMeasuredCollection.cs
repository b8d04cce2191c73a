namespace MqttCluster.Gateway.Tests.Robustness;

/// <summary>
/// Test classes that measure the process's managed memory (GC.GetTotalMemory) around a broker's work: test classes
/// running beside them would count in it (a suite under load made the fuzz test see 110 MB of others' objects), so
/// these run alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasuredCollection
{
    public const string Name = "Brokers whose memory is measured";
}
