using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>A bridge over TLS with a client certificate, to a Mosquitto that requires one.</summary>
public sealed class TlsBridgeTests(TlsBridgeFixture broker)
    : BridgeTest<TlsBridgeFixture>(broker), IClassFixture<TlsBridgeFixture>
{
    [Fact]
    public async Task MessagesCrossABridgeOverMutualTls()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"tls/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();

        await local.PublishAsync($"tls/{topic}", "over-tls", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("over-tls", (await remote.Inbox.NextAsync("the message over the TLS bridge")).Text);
    }

    [Fact]
    public async Task ABridgeFindsItsCaInABridgeCapathDirectory()
    {
        var capath = Broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(TlsBridgeFixture.CaPathBridgeName);
        await Within.PollAsync(async () => (await capath.GetStatusAsync()).Connected, "the bridge_capath bridge connected", TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(50));
        var topic = NewTopic();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"capath/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();

        await local.PublishAsync($"capath/{topic}", "trusted-by-directory", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("trusted-by-directory", (await remote.Inbox.NextAsync("the message over the bridge_capath bridge")).Text);
    }

    [Fact]
    public async Task ABridgeThatDoesNotTrustTheRemotesCertificateDoesNotConnect()
    {
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Entries.Any(e => e.ToString().Contains($"Bridge {TlsBridgeFixture.UntrustingBridgeName} could not connect", StringComparison.Ordinal))),
            "the untrusting bridge's failed connection attempt in the log",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        var untrusting = Broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(TlsBridgeFixture.UntrustingBridgeName);
        Assert.False((await untrusting.GetStatusAsync()).Connected);
    }
}
