using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MqttCluster.Silo.Configuration;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// Our broker with one bridge, named <see cref="BridgeName"/>, to a Mosquitto started for the fixture
/// (<see cref="Remote"/>). Subclasses say how the bridge is configured.
/// </summary>
public abstract class BridgeFixture : BrokerFixture
{
    /// <summary>Unique per fixture: brokers of parallel fixtures share this process, and so their meters' series.</summary>
    public string BridgeName { get; } = $"remote-{Guid.NewGuid():N}"[..15];

    public MosquittoRemote Remote { get; private set; } = null!;

    /// <summary>The bridge's client id at the remote (and in its notification topic).</summary>
    public abstract string RemoteClientId { get; }

    public IBridgeGrain Bridge => Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(BridgeName);

    public override async Task InitializeAsync()
    {
        Remote = await MosquittoRemote.StartAsync(RemoteConfiguration);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Remote.DisposeAsync();
    }

    /// <summary>Waits until the bridge reports its remote connection up (or down).</summary>
    public Task WaitForBridgeAsync(bool connected = true) => Within.PollAsync(
        async () => (await Bridge.GetStatusAsync()).Connected == connected,
        $"bridge '{BridgeName}' to be {(connected ? "connected" : "disconnected")}{Environment.NewLine}{Log.Tail(15)}",
        TimeSpan.FromSeconds(20),
        TimeSpan.FromMilliseconds(50));

    protected sealed override void Configure(IDictionary<string, string?> settings)
    {
        foreach (var (key, value) in BridgeSettings(Remote.Port))
        {
            settings[key] = value;
        }
    }

    protected abstract IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort);

    /// <summary>
    /// The <c>Bridges:*</c> settings of a mosquitto.conf made of <paramref name="lines"/>, read the way <c>-c FILE</c>
    /// reads it (the parser, then the mapping to native settings); fails on any error in either.
    /// </summary>
    protected static IEnumerable<KeyValuePair<string, string?>> FromMosquittoConf(params string[] lines)
    {
        var config = MosquittoConfigParser.ParseText(string.Join('\n', lines), "/etc/mosquitto/mosquitto.conf");
        var mapped = MosquittoConfigMapping.Map(config);
        Assert.False(config.HasErrors || mapped.Errors.Count > 0, string.Join('\n', config.Diagnostics.Select(d => d.ToString()).Concat(mapped.Errors)));
        return mapped.Settings.Where(s => s.Key.StartsWith("Bridges:", StringComparison.Ordinal));
    }

    /// <summary>More lines for the remote's mosquitto.conf (after its plain listener).</summary>
    protected virtual IEnumerable<string> RemoteConfiguration(MosquittoRemote remote) => [];
}
