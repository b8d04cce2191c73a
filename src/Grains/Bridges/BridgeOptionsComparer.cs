using System.Text.Json;

namespace MqttCluster.Grains.Bridges;

/// <summary>Whether two option sets describe the same bridge (every silo sends its copy periodically).</summary>
internal static class BridgeOptionsComparer
{
    public static bool Same(BridgeOptions a, BridgeOptions b) =>
        JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);
}
