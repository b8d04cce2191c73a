namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// The broker as a Mosquitto user starts it: <c>-c mosquitto.conf</c>, the file written by the test. Waits for the
/// ready line; at the end it is stopped with Ctrl-C and must exit 0, and it is killed by its PID if it does not.
/// </summary>
public sealed class MosquittoConfBroker : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private MosquittoConfBroker(ClientProcess process) => Process = process;

    public ClientProcess Process { get; }

    public static async Task<MosquittoConfBroker> StartAsync(string directory, IEnumerable<string> configLines)
    {
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllLinesAsync(config, configLines);
        var siloPort = FreePorts.Take(1)[0];
        var process = ClientProcess.Start(TestAssets.DotnetHost,
            [TestAssets.SiloAssembly, "-c", config, "--silo-port", $"{siloPort}", "--data-dir", Path.Combine(directory, "data"), "--Management:Port=0"],
            directory);
        var broker = new MosquittoConfBroker(process);
        await process.WaitForOutputLineAsync(l => l.Contains(BrokerProcess.ReadyMarker, StringComparison.Ordinal), StartTimeout, "the ready line", process.Describe);
        return broker;
    }

    public string Describe() => Process.Describe();

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Interrupt();
            var exitCode = await Process.WaitForExitAsync(TimeSpan.FromSeconds(30), Process.Describe);
            Assert.True(exitCode == 0, $"The broker exited with {exitCode} after Ctrl-C.\n{Process.Describe()}");
        }

        await Process.DisposeAsync();
    }
}
