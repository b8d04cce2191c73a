namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>A theory that is skipped, visibly, where systemd-analyze or the system units are not installed.</summary>
internal sealed class TheoryWhenSystemdAnalyzeExistsAttribute : TheoryAttribute
{
    public TheoryWhenSystemdAnalyzeExistsAttribute()
    {
        if (!SystemdRoot.IsAvailable)
        {
            Skip = "systemd-analyze is not installed (apt-get install systemd)";
        }
    }
}
