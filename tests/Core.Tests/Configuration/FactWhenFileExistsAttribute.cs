namespace MqttCluster.Core.Tests.Configuration;

/// <summary>A fact that is skipped, visibly, when none of the given files exists on this machine.</summary>
internal sealed class FactWhenFileExistsAttribute : FactAttribute
{
    public FactWhenFileExistsAttribute(params string[] paths)
    {
        if (!paths.Any(File.Exists))
        {
            Skip = $"none of {string.Join(", ", paths)} exists (apt-get install mosquitto)";
        }
    }
}
