using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>A test of our broker and its bridge, with clients on either side.</summary>
public abstract class BridgeTest<TFixture>(TFixture broker) : BrokerTest<TFixture>(broker)
    where TFixture : BridgeFixture
{
    /// <summary>A client of the remote Mosquitto.</summary>
    protected async Task<TestClient> ConnectRemoteAsync(MqttProtocolVersion version = MqttProtocolVersion.V500, string? clientId = null, bool cleanSession = true)
    {
        var client = await TryConnectAsync(version, Broker.Remote.ClientOptions(version, clientId ?? NewClientId("r"), cleanSession));
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        return client;
    }

    /// <summary>Payloads in the order received, each once; fails on a second copy that is not marked DUP.</summary>
    protected static List<string> InOrderOnce(IEnumerable<ReceivedMessage> received)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var texts = new List<string>();
        foreach (var message in received)
        {
            if (seen.Add(message.Text))
            {
                texts.Add(message.Text);
            }
            else
            {
                Assert.True(message.Dup, $"'{message.Text}' arrived twice, the second time without DUP");
            }
        }

        return texts;
    }
}
