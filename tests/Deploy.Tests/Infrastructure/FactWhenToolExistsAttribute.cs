namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>A fact that is skipped, visibly, when a command-line tool it runs is not installed.</summary>
internal sealed class FactWhenToolExistsAttribute : FactAttribute
{
    public FactWhenToolExistsAttribute(string tool, string package)
    {
        if (!Tool.Exists(tool))
        {
            Skip = $"{tool} is not installed (apt-get install --no-install-recommends {package})";
        }
    }
}
