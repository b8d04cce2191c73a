namespace MqttCluster.LoadGenerator;

/// <summary>Warnings that say when the figures measure the generator (or the machine) rather than the broker.</summary>
public static class BottleneckCheck
{
    public static IEnumerable<string> Warnings(LoadOptions options, double generatorCores, double brokerCores, double sentPerSecond)
    {
        var cores = Environment.ProcessorCount;
        var spareForGenerator = options.BrokerPids.Count > 0 ? cores - brokerCores : cores;
        if (generatorCores >= 0.8 * spareForGenerator)
        {
            yield return $"the generator used {generatorCores:0.00} cores of the {spareForGenerator:0.00} the broker left: it may be the bottleneck";
        }

        if (options.BrokerPids.Count > 0 && generatorCores + brokerCores >= 0.9 * cores)
        {
            yield return $"the machine is saturated (generator {generatorCores:0.00} + broker {brokerCores:0.00} of {cores} cores): generator and broker compete for CPU";
        }

        if (options.Rate > 0 && sentPerSecond < 0.95 * options.Rate)
        {
            yield return $"publishers fell behind: {sentPerSecond:0} msg/s sent of {options.Rate:0} asked (backlog in the generator or the broker pushing back)";
        }
    }
}
