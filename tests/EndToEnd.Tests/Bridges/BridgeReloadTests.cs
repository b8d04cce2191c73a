using System.Diagnostics;
using System.Globalization;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests.Bridges;

/// <summary>SIGHUP reads the mosquitto.conf again: a bridge added there starts, a bridge removed there stops.</summary>
public sealed class BridgeReloadTests : IDisposable
{
    private const string Mosquitto = "/usr/sbin/mosquitto";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("bridge-reload");

    [Fact]
    public async Task A_reload_starts_an_added_bridge_and_stops_a_removed_one()
    {
        var ports = FreePorts.Take(3);
        var (remotePort, localPort, siloPort) = (ports[0], ports[1], ports[2]);
        await using var remote = ClientProcess.Start(Mosquitto, ["-c", Write("remote.conf",
            $"listener {remotePort} 127.0.0.1", "allow_anonymous true", "log_dest stderr", "log_type all")]);
        await RemoteSaysAsync(remote, "running", "its start");

        var config = Write("mosquitto.conf", Local(localPort, remotePort, "first"));
        await using var broker = ClientProcess.Start(TestAssets.DotnetHost, [TestAssets.SiloAssembly, "-c", config, "--silo-port", $"{siloPort}", "--data-dir", _directory.Path, "--Management:Port=0"], _directory.Path);
        await broker.WaitForOutputLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), Timeout, "the ready line", broker.Describe);
        await RemoteSaysAsync(remote, "as pi-first", "the first bridge's connection");

        Write("mosquitto.conf", Local(localPort, remotePort, "second"));
        using (var hangup = Process.Start("kill", ["-HUP", broker.ProcessId.ToString(CultureInfo.InvariantCulture)]))
        {
            await hangup.WaitForExitAsync();
        }

        await RemoteSaysAsync(remote, "as pi-second", "the added bridge's connection");
        await RemoteSaysAsync(remote, "Client pi-first disconnected", "the removed bridge's disconnection");

        // The added bridge carries messages.
        await using var subscriber = ClientProcess.Start(MosquittoClients.SubscribeCommand,
            ["-h", "127.0.0.1", "-p", $"{remotePort}", "-t", "second/#", "-q", "1", "-C", "1", "-W", "30", "-v", "-i", "reload-sub"]);
        await RemoteSaysAsync(remote, "reload-sub 1 second/#", "the subscriber's SUBSCRIBE");
        await using (var publisher = ClientProcess.Start(MosquittoClients.PublishCommand, ["-h", "127.0.0.1", "-p", $"{localPort}", "-t", "second/x", "-q", "1", "-m", "after-reload"]))
        {
            await publisher.AssertSucceedsAsync(TimeSpan.FromSeconds(20));
        }

        await subscriber.AssertSucceedsAsync(TimeSpan.FromSeconds(40), broker.Describe);
        Assert.Equal(["second/x after-reload"], subscriber.Output.Lines);
    }

    public void Dispose() => _directory.Dispose();

    private static string[] Local(int localPort, int remotePort, string bridge) =>
    [
        $"listener {localPort} 127.0.0.1",
        "allow_anonymous true",
        $"connection {bridge}",
        $"address 127.0.0.1:{remotePort}",
        $"remote_clientid pi-{bridge}",
        "restart_timeout 1",
        $"topic {bridge}/# out 1",
    ];

    private static async Task RemoteSaysAsync(ClientProcess remote, string text, string what)
    {
        var line = await remote.Errors.WaitForLineAsync(l => l.Contains(text, StringComparison.Ordinal), Timeout);
        Assert.True(line is not null, $"mosquitto did not log {what} ('{text}') within {Timeout.TotalSeconds} s.\n{remote.Describe()}");
    }

    private string Write(string name, params string[] lines)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}
