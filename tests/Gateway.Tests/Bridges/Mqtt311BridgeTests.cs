using System.Text.Json;
using MqttCluster.Gateway.Status;
using MqttCluster.Gateway.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>An MQTT 3.1.1 bridge from a mosquitto.conf connection block (try_private for loop prevention).</summary>
public sealed class Mqtt311BridgeTests(MosquittoConfBridgeFixture broker)
    : BridgeDirectionTests<MosquittoConfBridgeFixture>(broker), IClassFixture<MosquittoConfBridgeFixture>
{
    [Fact]
    public async Task TheBridgeIsOnTheStatusPage()
    {
        await Broker.WaitForBridgeAsync();
        using var management = new ManagementClient(Broker);
        JsonElement bridge = default;

        // The stats grain samples every few seconds.
        await Within.PollAsync(
            async () =>
            {
                using var response = await management.GetAsync(StatusPage.ApiPath);
                using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var found = json.RootElement.GetProperty("bridges").EnumerateArray()
                    .Where(b => b.GetProperty("name").GetString() == Broker.BridgeName)
                    .Select(b => b.Clone())
                    .ToArray();
                bridge = found.FirstOrDefault();
                return found.Length == 1 && bridge.GetProperty("connected").GetBoolean();
            },
            "the connected bridge in /api/status",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(200));

        Assert.Equal($"127.0.0.1:{Broker.Remote.Port}", bridge.GetProperty("address").GetString());
    }
}
