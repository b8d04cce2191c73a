using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The management port's default (8080) is often taken on the machines people move their Mosquitto from: the
/// broker then starts without it and says so, rather than failing because of a port nobody asked for.
/// </summary>
public sealed class DefaultManagementPortTests : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new("default-management");

    [Fact]
    public async Task A_taken_default_management_port_is_skipped_with_a_reason()
    {
        // Hold 127.0.0.1:8080 for the test, unless something else already does (then it is taken all the same).
        using var holder = TryListen(8080);
        var ports = FreePorts.Take(3);
        await using var broker = ClientProcess.Start(
            TestAssets.DotnetHost,
            [
                TestAssets.SiloAssembly,
                "--port", Port(ports[0]), "--ws-port", Port(ports[1]), "--silo-port", Port(ports[2]), "--data-dir", _data.Path,
            ],
            _data.Path);

        var ready = await broker.Output.WaitForLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), ReadyTimeout);

        Assert.True(ready is not null, $"The broker did not start.\n{broker.Describe()}");
        Assert.Contains("management off (127.0.0.1:8080 is in use; choose a port with Management:Port)", ready, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static TcpListener? TryListen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException)
        {
            listener.Dispose();
            return null;
        }
    }
}
