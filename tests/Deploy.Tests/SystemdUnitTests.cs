using MqttCluster.Deploy.Tests.Infrastructure;

namespace MqttCluster.Deploy.Tests;

/// <summary>deploy/systemd: the units verify, and what they run and set exists in the broker.</summary>
public sealed class SystemdUnitTests
{
    public static TheoryData<string> Units() => [.. Repository.Files("deploy/systemd", "*.service")];

    // Which example file documents the settings of each EnvironmentFile= a unit reads.
    private static readonly Dictionary<string, string> EnvironmentFileExamples = new(StringComparer.Ordinal)
    {
        ["/etc/mqtt-cluster/env"] = "deploy/systemd/env.example",
        ["/etc/mqtt-cluster/silo.env"] = "deploy/systemd/silo.env.example",
        ["/etc/mqtt-cluster/gateway.env"] = "deploy/systemd/gateway.env.example",
    };

    [Fact]
    public void The_single_node_cluster_silo_gateway_and_schema_units_exist()
    {
        Assert.Equal(
            ["deploy/systemd/mqtt-cluster-dbinit.service", "deploy/systemd/mqtt-cluster-gateway.service", "deploy/systemd/mqtt-cluster-silo.service", "deploy/systemd/mqtt-cluster.service"],
            Repository.Files("deploy/systemd", "*.service"));
    }

    [TheoryWhenSystemdAnalyzeExists]
    [MemberData(nameof(Units))]
    public void Unit_verifies_without_warnings(string unit)
    {
        using var root = new SystemdRoot("verify");
        var installed = root.Install(unit);
        var result = root.Verify(installed);

        var name = Path.GetFileName(unit);
        var aboutUnit = result.Lines.Where(l => l.Contains(name, StringComparison.Ordinal)).ToList();
        Assert.True(result.ExitCode == 0 && aboutUnit.Count == 0, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Commands_run_the_published_executables_with_switches_they_know(string unit)
    {
        var parsed = SystemdUnit.Load(unit);
        var start = parsed.Value("Service", "ExecStart");
        Assert.NotNull(start);
        var command = SystemdUnit.Words(start);
        Assert.StartsWith("/opt/mqtt-cluster/", command[0], StringComparison.Ordinal);
        Assert.Empty(BrokerCommand.Check(command));
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Environment_lines_are_broker_settings_or_runtime_variables(string unit)
    {
        var problems = SystemdUnit.Load(unit).Environment
            .Select(e => BrokerSettings.CheckEnvironmentVariable(e.Key, e.Value))
            .OfType<string>()
            .ToList();
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Environment_files_have_an_example_whose_settings_exist(string unit)
    {
        var parsed = SystemdUnit.Load(unit);
        var files = parsed.Values("Service", "EnvironmentFile").Select(f => f.TrimStart('-')).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            Assert.True(EnvironmentFileExamples.TryGetValue(file, out var example), $"{unit}: no example for {file}");
            var assignments = ExampleAssignments(example).ToList();
            Assert.Empty(assignments.Select(a => BrokerSettings.CheckEnvironmentVariable(a.Key, a.Value)).OfType<string>());

            // Variables the command line expands are documented in the example, and their values are valid arguments.
            foreach (var variable in parsed.Commands.SelectMany(c => c).Where(w => w.StartsWith('$')).Select(w => w.Trim('$', '{', '}')))
            {
                var values = assignments.Where(a => a.Key == variable).Select(a => a.Value).ToList();
                Assert.True(values.Count > 0, $"{example} does not show {variable}, which {unit} expands");
                foreach (var value in values)
                {
                    var executable = SystemdUnit.Words(parsed.Value("Service", "ExecStart")!)[0];
                    Assert.Empty(BrokerCommand.Check([executable, .. SystemdUnit.Words(value)]));
                }
            }
        }
    }

    [Fact]
    public void The_single_node_keeps_its_data_in_the_state_directory_and_has_small_device_memory_settings()
    {
        var unit = SystemdUnit.Load("deploy/systemd/mqtt-cluster.service");
        var command = SystemdUnit.Words(unit.Value("Service", "ExecStart")!);
        var dataDirectory = command[command.ToList().IndexOf("--data-dir") + 1];
        Assert.Equal($"/var/lib/{unit.Value("Service", "StateDirectory")}", dataDirectory);

        var environment = unit.Environment.ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal("0", environment["DOTNET_gcServer"]);
        Assert.True(environment.ContainsKey("DOTNET_GCHeapHardLimit"));
        Assert.True(environment.ContainsKey("DOTNET_GCConserveMemory"));
    }

    [Theory]
    [InlineData("deploy/systemd/mqtt-cluster.service")]
    [InlineData("deploy/systemd/mqtt-cluster-silo.service")]
    [InlineData("deploy/systemd/mqtt-cluster-gateway.service")]
    public void Broker_units_wait_for_readiness_and_do_not_restart_on_invalid_settings(string unit)
    {
        // READY=1 comes from the broker (SystemdReadiness) once it serves; exit code 2 means invalid settings.
        var parsed = SystemdUnit.Load(unit);
        Assert.Equal("notify", parsed.Value("Service", "Type"));
        Assert.NotNull(parsed.Value("Service", "TimeoutStartSec"));
        Assert.Equal("on-failure", parsed.Value("Service", "Restart"));
        Assert.Equal("2", parsed.Value("Service", "RestartPreventExitStatus"));
    }

    [Theory]
    [MemberData(nameof(Units))]
    public void Units_run_unprivileged_and_hardened(string unit)
    {
        var parsed = SystemdUnit.Load(unit);
        Assert.Equal("yes", parsed.Value("Service", "DynamicUser"));
        Assert.Equal("yes", parsed.Value("Service", "NoNewPrivileges"));
        Assert.Equal("strict", parsed.Value("Service", "ProtectSystem"));
        Assert.Equal("yes", parsed.Value("Service", "ProtectHome"));
        Assert.Equal("yes", parsed.Value("Service", "PrivateTmp"));
        Assert.Equal("", parsed.Value("Service", "CapabilityBoundingSet"));
        // The JIT needs writable-then-executable memory.
        Assert.Null(parsed.Value("Service", "MemoryDenyWriteExecute"));
    }

    private static IEnumerable<KeyValuePair<string, string>> ExampleAssignments(string example) =>
        Repository.Read(example).Split('\n')
            .Select(l => l.Trim().TrimStart('#').Trim())
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, "^[A-Za-z_][A-Za-z0-9_]*="))
            .Select(l => SystemdUnit.Assignment(l.Replace("\"", "", StringComparison.Ordinal)));
}
