using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>Mqtt:MaxConnections: the client over the limit hears the broker is busy; the others keep working.</summary>
public sealed class MaxConnectionsTests(MaxConnectionsBrokerFixture broker) : BrokerTest<MaxConnectionsBrokerFixture>(broker), IClassFixture<MaxConnectionsBrokerFixture>
{
    [Fact]
    public async Task The_client_over_the_limit_is_refused_until_one_leaves()
    {
        var first = await ConnectAsync();
        await ConnectAsync();

        var refusedV5 = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).Build());
        var refusedV311 = await TryConnectAsync(MqttProtocolVersion.V311, Options(MqttTransport.Tcp, MqttProtocolVersion.V311).Build());

        Assert.Equal(MqttClientConnectResultCode.ServerBusy, refusedV5.ConnectResult!.ResultCode);
        Assert.Equal(MqttClientConnectResultCode.ServerUnavailable, refusedV311.ConnectResult!.ResultCode);
        await first.DisconnectAsync();
        await Within.PollAsync(
            async () => (await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).Build())).ConnectResult!.ResultCode == MqttClientConnectResultCode.Success,
            "room for a new client after one left",
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(200));
    }
}
