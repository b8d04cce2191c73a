using MqttCluster.Deploy.Tests.Infrastructure;

namespace MqttCluster.Deploy.Tests;

/// <summary>The deployment scripts parse, and shellcheck finds nothing in them.</summary>
public sealed class ShellScriptTests
{
    public static TheoryData<string> Scripts() => [.. Repository.Files("deploy/pi", "*.sh")];

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses(string script)
    {
        var result = Tool.Run("bash", ["-n", Repository.PathOf(script)]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [FactWhenToolExists("shellcheck", "shellcheck")]
    public void Scripts_are_shellcheck_clean()
    {
        var result = Tool.Run("shellcheck", ["--external-sources", .. Repository.Files("deploy/pi", "*.sh").Select(Repository.PathOf)]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void Footprint_script_measures_with_the_units_memory_settings()
    {
        // measure-footprint.sh reads the DOTNET_* lines of the unit; they must stay in the form it reads.
        var lines = Repository.Read("deploy/systemd/mqtt-cluster.service").Split('\n').Where(l => l.StartsWith("Environment=DOTNET_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches("^Environment=DOTNET_[A-Za-z0-9_]+=[^ ]+$", l));
        Assert.Contains("mqtt-cluster.service", Repository.Read("deploy/pi/measure-footprint.sh"), StringComparison.Ordinal);
    }
}
