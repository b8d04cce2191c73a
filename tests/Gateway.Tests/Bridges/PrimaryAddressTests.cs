using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary><c>round_robin false</c>: connected to a secondary address, the bridge goes back to the first one when it
/// answers again, as Mosquitto's bridge does.</summary>
public sealed class PrimaryAddressTests(PrimaryAddressBridgeFixture broker)
    : BridgeTest<PrimaryAddressBridgeFixture>(broker), IClassFixture<PrimaryAddressBridgeFixture>
{
    [Fact]
    public async Task TheBridgeReturnsToItsFirstAddressWhenItAnswersAgain()
    {
        await Broker.WaitForBridgeAsync();
        Assert.Equal($"127.0.0.1:{Broker.Remote.Port}", (await Broker.Bridge.GetStatusAsync()).Address);

        await using var primary = await MosquittoRemote.StartAsync(port: Broker.PrimaryPort);
        var primaryAddress = $"127.0.0.1:{Broker.PrimaryPort}";
        await Within.PollAsync(
            async () => await Broker.Bridge.GetStatusAsync() is { Connected: true } status && status.Address == primaryAddress,
            $"the bridge to connect to its first address {primaryAddress}{Environment.NewLine}{Broker.Log.Tail(10)}",
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));

        // Messages now go through the first address.
        var topic = NewTopic();
        var subscriber = await TryConnectAsync(MQTTnet.Formatter.MqttProtocolVersion.V500, new MQTTnet.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", Broker.PrimaryPort).WithClientId(NewClientId("p")).Build());
        await subscriber.SubscribeAsync($"primary/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();
        await local.PublishAsync($"primary/{topic}", "via-primary", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("via-primary", (await subscriber.Inbox.NextAsync("the message through the first address")).Text);
    }
}
