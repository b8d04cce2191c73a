using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// A Mosquitto user's way of starting the broker: <c>-c mosquitto.conf</c> with listeners, persistence location
/// and limits; what cannot be honoured stops the start with file and line.
/// </summary>
public sealed class MosquittoConfigTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _directory = new("mosquitto-conf");

    [Fact]
    public async Task A_raspberry_pi_config_starts_both_listeners_and_keeps_data_where_it_says()
    {
        var ports = FreePorts.Take(3);
        var data = Path.Combine(_directory.Path, "var-lib-mosquitto");
        var config = WriteConfig(
            "pi.conf",
            "# the usual Pi setup: MQTT on one port, websockets on another",
            "persistence true",
            $"persistence_location {data}/",
            "log_dest stdout",
            $"listener {ports[0]} 127.0.0.1",
            $"listener {ports[1]} 127.0.0.1",
            "protocol websockets",
            "allow_anonymous true");

        await using var broker = StartBroker("-d", "-c", config, "--silo-port", $"{ports[2]}");
        var ready = await broker.WaitForOutputLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), StartTimeout, "the ready line", broker.Describe);

        Assert.Contains($"tcp 127.0.0.1:{ports[0]},", ready, StringComparison.Ordinal);
        Assert.Contains($"websocket 127.0.0.1:{ports[1]}/mqtt", ready, StringComparison.Ordinal);
        Assert.Contains(data, ready, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "broker.db")), $"No database in {data}.\n{broker.Describe()}");

        // A retained message through the configured MQTT port reaches a subscriber that comes later.
        await using (var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "127.0.0.1", "-p", $"{ports[0]}", "-t", "pi/temp", "-r", "-q", "1", "-m", "21.5"]))
        {
            await publisher.AssertSucceedsAsync(TimeSpan.FromSeconds(20));
        }

        await using var subscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand, ["-h", "127.0.0.1", "-p", $"{ports[0]}", "-t", "pi/temp", "-C", "1", "-W", "15"]);
        await subscriber.AssertSucceedsAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(["21.5"], subscriber.Output.Lines);
    }

    [Fact]
    public async Task The_command_line_wins_over_the_config_file()
    {
        var ports = FreePorts.Take(4);
        var config = WriteConfig("override.conf", $"listener {ports[0]} 127.0.0.1", "allow_anonymous true");

        await using var broker = StartBroker("-c", config, "--port", $"{ports[1]}", "--ws-port", $"{ports[2]}", "--silo-port", $"{ports[3]}", "--data-dir", _directory.Path);
        var ready = await broker.WaitForOutputLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), StartTimeout, "the ready line", broker.Describe);

        Assert.Contains($"tcp 127.0.0.1:{ports[1]},", ready, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auth_plugin /usr/lib/mosquitto_auth.so", 2)]
    [InlineData("Port 1883", 2)]
    public async Task What_cannot_be_honoured_stops_the_start_naming_file_and_line(string line, int expectedLine)
    {
        var ports = FreePorts.Take(2);
        var config = WriteConfig("refused.conf", $"listener {ports[0]} 127.0.0.1", line, "allow_anonymous true");

        await using var broker = StartBroker("-c", config, "--silo-port", $"{ports[1]}");
        var exitCode = await broker.WaitForExitAsync(RefusalTimeout);

        Assert.True(exitCode == 2, $"Expected exit code 2 (invalid configuration), got {exitCode}: the broker started with '{line}'.\n{broker.Describe()}");
        var errors = string.Join('\n', broker.Errors.Lines);
        Assert.Contains("error", errors, StringComparison.Ordinal);
        Assert.Contains(expectedLine == 0 ? "refused.conf:1" : $"refused.conf:{expectedLine}", errors, StringComparison.Ordinal);
        Assert.DoesNotContain(broker.Output.Lines, l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_password_file_that_cannot_be_read_stops_the_start_naming_it()
    {
        var ports = FreePorts.Take(2);
        var missing = Path.Combine(_directory.Path, "no-such-passwd");
        var config = WriteConfig("passwd.conf", $"listener {ports[0]} 127.0.0.1", $"password_file {missing}");

        await using var broker = StartBroker("-c", config, "--silo-port", $"{ports[1]}");
        var exitCode = await broker.WaitForExitAsync(RefusalTimeout);

        Assert.True(exitCode == 2, $"Expected exit code 2 (invalid configuration), got {exitCode}: the broker started without its password file.\n{broker.Describe()}");
        Assert.Contains(missing, string.Join('\n', broker.Errors.Lines.Concat(broker.Output.Lines)), StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();

    private string WriteConfig(string name, params string[] lines)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    private ClientProcess StartBroker(params string[] arguments) =>
        ClientProcess.Start(TestAssets.DotnetHost, [TestAssets.SiloAssembly, .. arguments, "--Management:Port=0"], _directory.Path);
}
