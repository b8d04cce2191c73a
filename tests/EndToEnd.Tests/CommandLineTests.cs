using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The executables' command lines: --help, --version, and exit codes (0 done, 1 failed while running, 2 invalid
/// configuration or usage), including settings the broker must refuse before serving anyone.
/// </summary>
public sealed partial class CommandLineTests : IDisposable
{
    private static readonly TimeSpan HelpTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _workingDirectory = new("cli");

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_usage_and_exits_0(string option)
    {
        await using var broker = StartBroker(option);
        var exitCode = await broker.WaitForExitAsync(HelpTimeout);

        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{broker.Describe()}");
        var output = string.Join('\n', broker.Output.Lines);
        foreach (var expected in new[] { "Usage:", "--port", "--ws-port", "--bind", "--data-dir", "--silo-port", "--help", "--version", "Exit codes:" })
        {
            Assert.True(output.Contains(expected, StringComparison.Ordinal), $"--help does not mention '{expected}'.\n{broker.Describe()}");
        }

        Assert.DoesNotContain(broker.Output.Lines, l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Mqtt:TcpPort", "--port", "70000")]
    [InlineData("Mqtt:TcpPort", "--port", "abc")]
    [InlineData("Mqtt:WebSocketPort", "--ws-port", "-7")]
    [InlineData("Mqtt:MaxPacketSize", "--Mqtt:MaxPacketSize=10")]
    [InlineData("Cluster:Kubernetes", "--Cluster:Kubernetes=true")]
    [InlineData("Cluster:HostGateway", "--Cluster:HostGateway=false")]
    public async Task Invalid_setting_exits_non_zero_naming_the_setting(string setting, params string[] arguments)
    {
        // Valid values for everything but the setting under test, so only that one can be the reason.
        var ports = FreePorts.Take(3);
        var defaults = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--port"] = $"{ports[0]}",
            ["--ws-port"] = $"{ports[1]}",
            ["--silo-port"] = $"{ports[2]}",
            ["--data-dir"] = _workingDirectory.Path,
        };
        await using var broker = StartBroker(
        [
            .. defaults.Where(d => !arguments.Contains(d.Key)).SelectMany(d => new[] { d.Key, d.Value }),
            .. arguments,
        ]);
        var exitCode = await broker.WaitForExitAsync(RefusalTimeout);

        Assert.True(exitCode == 2, $"The broker should refuse {string.Join(' ', arguments)} with exit code 2 (invalid configuration), not {exitCode}.\n{broker.Describe()}");
        var output = string.Join('\n', broker.Output.Lines.Concat(broker.Errors.Lines));
        Assert.True(output.Contains(setting, StringComparison.Ordinal), $"The refusal does not name {setting}.\n{broker.Describe()}");
        Assert.DoesNotContain(broker.Output.Lines, l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("gateway")]
    [InlineData("passwd")]
    public async Task Version_prints_the_executable_and_its_version_and_exits_0(string executable)
    {
        await using var process = Start(executable, "--version");
        var exitCode = await process.WaitForExitAsync(HelpTimeout);

        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{process.Describe()}");
        var line = Assert.Single(process.Output.Lines);
        var version = VersionLine().Match(line);
        Assert.True(version.Success && version.Groups["name"].Value == $"mqtt-cluster-{executable}", $"'{line}' is not 'mqtt-cluster-{executable} <version>[+<commit>]'.");
        if (version.Groups["commit"].Success)
        {
            await AssertIsCommitOfThisRepositoryAsync(version.Groups["commit"].Value);
        }
    }

    [Fact]
    public async Task Every_executable_reports_the_same_version()
    {
        var versions = new List<string>();
        foreach (var executable in new[] { "silo", "gateway", "passwd" })
        {
            await using var process = Start(executable, "--version");
            await process.AssertSucceedsAsync(HelpTimeout);
            versions.Add(VersionLine().Match(process.Output.Lines.Single()).Groups["version"].Value);
        }

        Assert.Single(versions.Distinct());
    }

    [Theory]
    [InlineData("gateway", "--help")]
    [InlineData("passwd", "--help")]
    public async Task Help_of_the_other_executables_names_the_version_switch_and_the_exit_codes(string executable, string option)
    {
        await using var process = Start(executable, option);
        await process.AssertSucceedsAsync(HelpTimeout);

        var output = string.Join('\n', process.Output.Lines);
        Assert.Contains("--version", output, StringComparison.Ordinal);
        Assert.Contains("Exit codes:", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gateway")]
    [InlineData("passwd", "-x")]
    [InlineData("passwd", "only-a-file")]
    public async Task Missing_or_unknown_arguments_exit_2(string executable, params string[] arguments)
    {
        // The gateway without a database to find the cluster in; passwd with a switch or an argument count it has not.
        await using var process = Start(executable, arguments);
        var exitCode = await process.WaitForExitAsync(RefusalTimeout);

        Assert.True(exitCode == 2, $"Expected exit code 2 (invalid usage), got {exitCode}.\n{process.Describe()}");
    }

    [Fact]
    public async Task A_port_in_use_is_a_runtime_failure_and_exits_1_saying_so()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var ports = FreePorts.Take(2);

        await using var broker = StartBroker("--port", $"{taken}", "--ws-port", $"{ports[0]}", "--silo-port", $"{ports[1]}", "--data-dir", _workingDirectory.Path);
        var exitCode = await broker.WaitForExitAsync(RefusalTimeout);

        Assert.True(exitCode == 1, $"Expected exit code 1 (failed while running), got {exitCode}.\n{broker.Describe()}");
        Assert.Contains(broker.Errors.Lines, l => l.StartsWith("mqtt-cluster-silo failed:", StringComparison.Ordinal) && l.Contains("address already in use", StringComparison.OrdinalIgnoreCase));
    }

    public void Dispose() => _workingDirectory.Dispose();

    /// <summary>Fails unless <paramref name="commit"/> names a commit of the repository the tests were built from
    /// (checked only where git and the repository's history are there).</summary>
    private static async Task AssertIsCommitOfThisRepositoryAsync(string commit)
    {
        if (!Path.Exists(Path.Combine(TestAssets.RepositoryRoot, ".git")) || !File.Exists("/usr/bin/git"))
        {
            return;
        }

        await using var git = ClientProcess.Start("/usr/bin/git", ["-C", TestAssets.RepositoryRoot, "cat-file", "-e", $"{commit}^{{commit}}"]);
        var exitCode = await git.WaitForExitAsync(HelpTimeout);
        Assert.True(exitCode == 0, $"{commit} is not a commit of {TestAssets.RepositoryRoot}.\n{git.Describe()}");
    }

    // Not the default management port 8080: tests run side by side.
    private ClientProcess StartBroker(params string[] arguments) => Start("silo", [.. arguments, "--Management:Port=0"]);

    private ClientProcess Start(string executable, params string[] arguments)
    {
        var assembly = executable switch
        {
            "silo" => TestAssets.SiloAssembly,
            "gateway" => TestAssets.GatewayAssembly,
            _ => TestAssets.PasswdAssembly,
        };
        return ClientProcess.Start(TestAssets.DotnetHost, [assembly, .. arguments], _workingDirectory.Path);
    }

    // "mqtt-cluster-silo 0.1.0+1a2b3c4": SemVer, and the short commit when the build had a git repository.
    [GeneratedRegex(@"^(?<name>mqtt-cluster-[a-z]+) (?<version>\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+(?<commit>[0-9a-f]{7}))?)$")]
    private static partial Regex VersionLine();
}
