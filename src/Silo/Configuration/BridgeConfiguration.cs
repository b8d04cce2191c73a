using Microsoft.Extensions.Options;
using MqttCluster.Grains;

namespace MqttCluster.Silo.Configuration;

/// <summary>
/// The bridges of the native configuration: one section per bridge under <c>Bridges</c>, named by its key
/// (<c>Bridges:cloud:Addresses:0=mqtt.example.com:8883</c>). A <c>mosquitto.conf</c>'s <c>connection</c> blocks
/// arrive here the same way (<see cref="MosquittoBridgeMapping"/>). Invalid bridges stop the start, naming the setting.
/// </summary>
public static class BridgeConfiguration
{
    public static IReadOnlyList<BridgeOptions> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var bridges = new List<BridgeOptions>();
        var problems = new List<string>();
        foreach (var section in configuration.GetSection(BridgeOptions.Section).GetChildren())
        {
            var bridge = section.Get<BridgeOptions>() ?? new BridgeOptions();
            bridge.Name = section.Key;
            problems.AddRange(BridgeOptionsValidator.Problems(bridge).Select(p => $"{BridgeOptions.Section}:{section.Key}:{p}"));
            bridges.Add(bridge);
        }

        if (problems.Count > 0)
        {
            throw new OptionsValidationException(BridgeOptions.Section, typeof(BridgeOptions), problems);
        }

        return bridges;
    }
}
