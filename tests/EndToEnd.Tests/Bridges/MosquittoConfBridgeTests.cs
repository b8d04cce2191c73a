using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests.Bridges;

/// <summary>
/// The built broker started as a Mosquitto user starts it, <c>-c mosquitto.conf</c> with a bridge to a real Mosquitto
/// (Debian's, on its own loopback port), driven by Mosquitto's own command-line clients on both sides.
/// </summary>
public sealed class MosquittoConfBridgeTests : IDisposable
{
    private const string Mosquitto = "/usr/sbin/mosquitto";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("bridge-conf");

    [Fact]
    public async Task A_connection_block_bridges_both_ways_to_a_real_mosquitto()
    {
        var ports = FreePorts.Take(3);
        var (remotePort, localPort, siloPort) = (ports[0], ports[1], ports[2]);
        await using var remote = ClientProcess.Start(Mosquitto, ["-c", WriteConfig("remote.conf",
            $"listener {remotePort} 127.0.0.1",
            "allow_anonymous true",
            "log_dest stderr",
            "log_type all")]);
        await RemoteSaysAsync(remote, "running", "the remote's start");

        // The remote's subscriber, subscribed (its log says so) before anything is bridged.
        await using var remoteSubscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand,
            ["-h", "127.0.0.1", "-p", $"{remotePort}", "-t", "site/pi/sensors/#", "-q", "1", "-C", "1", "-W", "30", "-v"]);
        await RemoteSaysAsync(remote, "site/pi/sensors/#", "the remote subscriber's SUBSCRIBE");

        var config = WriteConfig("mosquitto.conf",
            $"listener {localPort} 127.0.0.1",
            "allow_anonymous true",
            "",
            "connection central",
            $"address 127.0.0.1:{remotePort}",
            "remote_clientid pi-kitchen",
            "topic sensors/# out 1 \"\" site/pi/",
            "topic commands/# in 1 \"\" site/pi/",
            "restart_timeout 1 5");
        await using var broker = ClientProcess.Start(TestAssets.DotnetHost, [TestAssets.SiloAssembly, "-c", config, "--silo-port", $"{siloPort}", "--data-dir", _directory.Path, "--Management:Port=0"], _directory.Path);
        await broker.WaitForOutputLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), StartTimeout, "the ready line", broker.Describe);

        // Out: published here, received there under the remote prefix.
        await using (var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "127.0.0.1", "-p", $"{localPort}", "-t", "sensors/kitchen", "-q", "1", "-m", "21.5"]))
        {
            await publisher.AssertSucceedsAsync(TimeSpan.FromSeconds(20));
        }

        await remoteSubscriber.AssertSucceedsAsync(TimeSpan.FromSeconds(40), broker.Describe);
        Assert.Equal(["site/pi/sensors/kitchen 21.5"], remoteSubscriber.Output.Lines);

        // In: retained there, read here under the local topic (the bridge brings it in when it subscribes, or live).
        await using (var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "127.0.0.1", "-p", $"{remotePort}", "-t", "site/pi/commands/lamp", "-r", "-q", "1", "-m", "on"]))
        {
            await publisher.AssertSucceedsAsync(TimeSpan.FromSeconds(20));
        }

        await using var localSubscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand,
            ["-h", "127.0.0.1", "-p", $"{localPort}", "-t", "commands/lamp", "-q", "1", "-C", "1", "-W", "30", "-v"]);
        await localSubscriber.AssertSucceedsAsync(TimeSpan.FromSeconds(40), broker.Describe);
        Assert.Equal(["commands/lamp on"], localSubscriber.Output.Lines);

        // The bridge's state, retained at the remote as Mosquitto's bridges publish it.
        await using var state = ClientProcess.Start(MosquittoClients.SubscribeCommand,
            ["-h", "127.0.0.1", "-p", $"{remotePort}", "-t", "$SYS/broker/connection/pi-kitchen/state", "-C", "1", "-W", "30"]);
        await state.AssertSucceedsAsync(TimeSpan.FromSeconds(40), broker.Describe);
        Assert.Equal(["1"], state.Output.Lines);
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>Mosquitto logs to standard error (unbuffered, unlike its standard output into a pipe).</summary>
    private static async Task RemoteSaysAsync(ClientProcess remote, string text, string what)
    {
        var line = await remote.Errors.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), StartTimeout);
        Assert.True(line is not null, $"mosquitto did not log {what} within {StartTimeout.TotalSeconds} s.\n{remote.Describe()}");
    }

    private string WriteConfig(string name, params string[] lines)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
