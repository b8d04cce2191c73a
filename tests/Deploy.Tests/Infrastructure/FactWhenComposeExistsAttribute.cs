namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>A fact that is skipped, visibly, where neither docker compose nor docker-compose is installed.</summary>
internal sealed class FactWhenComposeExistsAttribute : FactAttribute
{
    public FactWhenComposeExistsAttribute()
    {
        if (ComposeCli.Command is null)
        {
            Skip = "neither `docker compose` nor docker-compose is installed (apt-get install --no-install-recommends docker-compose)";
        }
    }
}
