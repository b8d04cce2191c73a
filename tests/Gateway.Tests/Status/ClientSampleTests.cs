using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Tests.Status;

/// <summary>
/// The status page's sample of a gateway's clients (<see cref="ConnectedClients.FirstByClientId"/>): the first ids in
/// ordinal order, taken in one pass without sorting every connection.
/// </summary>
public sealed class ClientSampleTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task The_sample_is_the_first_client_ids_in_ordinal_order()
    {
        // Shuffled, with ids that ordinal and culture order disagree on ('Z' < 'a' ordinally).
        string[] ids = ["sample-b", "sample-Z", "sample-a", "sample-d", "sample-c", "sample-A"];
        var clients = new List<RawMqttClient>();
        foreach (var id in ids)
        {
            clients.Add(await ConnectRawAsync(MqttProtocolVersion.V311, new MqttConnectPacket { ClientId = id, CleanSession = true }));
        }

        var connected = Broker.Services.GetRequiredService<ConnectedClients>();
        await Within.PollAsync(() => Task.FromResult(connected.Count >= ids.Length), "every sample client to be registered", Within.DefaultTimeout, TimeSpan.FromMilliseconds(20));

        var first = connected.FirstByClientId(4).Select(c => c.ClientId).ToArray();
        var all = connected.FirstByClientId(100).Select(c => c.ClientId).ToArray();

        Assert.Equal(["sample-A", "sample-Z", "sample-a", "sample-b"], first);
        Assert.Equal([.. all.Order(StringComparer.Ordinal)], all);
        Assert.Subset(all.ToHashSet(), ids.ToHashSet());
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }
    }
}
