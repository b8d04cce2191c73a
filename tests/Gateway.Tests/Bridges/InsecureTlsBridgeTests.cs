using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// <c>bridge_insecure</c>: a remote whose certificate chains to the bridge's CA but names another host is refused,
/// unless the bridge is told not to check the name.
/// </summary>
public sealed class InsecureTlsBridgeTests(InsecureTlsBridgeFixture broker)
    : BridgeTest<InsecureTlsBridgeFixture>(broker), IClassFixture<InsecureTlsBridgeFixture>
{
    [Fact]
    public async Task WithBridgeInsecureACertificateForAnotherNameIsAccepted()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"insecure/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();

        await local.PublishAsync($"insecure/{topic}", "name-not-checked", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("name-not-checked", (await remote.Inbox.NextAsync("the message over the insecure TLS bridge")).Text);
    }

    [Fact]
    public async Task WithoutItACertificateForAnotherNameIsRefused()
    {
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Entries.Any(e => e.ToString().Contains($"Bridge {InsecureTlsBridgeFixture.CheckingBridgeName} could not connect", StringComparison.Ordinal))),
            "the checking bridge's failed connection attempt in the log",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        var checking = Broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(InsecureTlsBridgeFixture.CheckingBridgeName);
        Assert.False((await checking.GetStatusAsync()).Connected);
        Assert.False(Broker.Remote.Logged("as pi.checking"), "the remote saw the checking bridge's CONNECT");
    }
}
