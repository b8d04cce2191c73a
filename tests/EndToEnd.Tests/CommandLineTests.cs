using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>The broker's command line: --help, and settings it must refuse before serving anyone.</summary>
public sealed class CommandLineTests : IDisposable
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
        foreach (var expected in new[] { "Usage:", "--port", "--ws-port", "--bind", "--data-dir", "--silo-port", "--help" })
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

        Assert.True(exitCode != 0, $"The broker accepted {string.Join(' ', arguments)} (exit code 0).\n{broker.Describe()}");
        var output = string.Join('\n', broker.Output.Lines.Concat(broker.Errors.Lines));
        Assert.True(output.Contains(setting, StringComparison.Ordinal), $"The refusal does not name {setting}.\n{broker.Describe()}");
        Assert.DoesNotContain(broker.Output.Lines, l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal));
    }

    public void Dispose() => _workingDirectory.Dispose();

    private ClientProcess StartBroker(params string[] arguments) =>
        ClientProcess.Start(TestAssets.DotnetHost, [TestAssets.SiloAssembly, .. arguments, "--Management:Port=0"], _workingDirectory.Path);
}
