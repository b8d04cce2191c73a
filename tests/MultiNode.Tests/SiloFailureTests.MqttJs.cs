using System.Text.Json;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// MQTT.js, the most used JavaScript client, streams QoS 1 at a steady 200 msg/s through a silo's kill -9. It does
/// not count the broker's Receive Maximum, and PUBACKs stall while the cluster recovers: the broker must hold it
/// back (it stops reading) rather than disconnect it with 0x93, and lose nothing it acknowledged (issue 16, item 10).
/// </summary>
public sealed partial class SiloFailureTests
{
    private const int MqttJsMessages = 2400;
    private const int MqttJsRate = 200;

    [Fact]
    public async Task MqttJs_streaming_qos1_through_a_silo_kill_is_not_disconnected_and_loses_nothing()
    {
        await Task.WhenAll(Cluster.GrainSilos.Where(s => !s.IsRunning).Select(s => s.StartAgainAsync()));
        var topic = NewTopic("mqttjs-stream");
        var prober = await ConnectAsync(Cluster.Gateways[0], MqttTransport.Tcp, configure: o => o.WithTimeout(ClientTimeout));
        var victim = await ChooseVictimAsync(prober, topic, routeIndex: false);
        var subscriber = await ConnectAsync(
            Cluster.Gateways[1], MqttTransport.Tcp, MqttTestClient.NewClientId("mqttjs-sub"),
            o => o.WithCleanStart(false).WithSessionExpiryInterval(600).WithTimeout(ClientTimeout));
        await subscriber.SubscribeAsync($"{topic}/+", MqttQualityOfServiceLevel.AtLeastOnce);

        var jsDirectory = Path.Combine(TestAssets.RepositoryRoot, "tests", "EndToEnd.Tests", "js");
        Assert.True(File.Exists(Path.Combine(jsDirectory, "node_modules", "mqtt", "package.json")), $"MQTT.js is not installed: run `npm ci` in {jsDirectory}.");
        await using var mqttJs = ChildProcess.Start("node", [
            "ws-client.mjs", "--url", $"mqtt://127.0.0.1:{Cluster.Gateways[0].TcpPort}", "--protocol-version", "5",
            "--mode", "stream", "--topic", topic, "--topics", TopicCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--count", MqttJsMessages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--rate", MqttJsRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "120"], jsDirectory);

        // A quarter into the stream, the silo holding most of its topic grains dies.
        await mqttJs.WaitForOutputLineAsync(l => l.Contains("\"acked\":600", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "600 acknowledged messages", () => mqttJs.Describe());
        await victim.KillAsync();
        Output.WriteLine($"kill -9 {victim.Name} (pid {victim.ProcessId}) after 600 acknowledged messages");

        var streamed = await mqttJs.WaitForOutputLineAsync(l => l.Contains("\"event\":\"streamed\"", StringComparison.Ordinal), TimeSpan.FromSeconds(120), "the end of the stream", () => mqttJs.Describe(20));
        Assert.DoesNotContain(mqttJs.Output.Lines, l => l.Contains("\"event\":\"disconnect\"", StringComparison.Ordinal));
        using var result = JsonDocument.Parse(streamed);
        var acknowledged = result.RootElement.GetProperty("acked").EnumerateArray().Select(n => n.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var failed = result.RootElement.GetProperty("failed").GetArrayLength();
        Output.WriteLine($"MQTT.js: {acknowledged.Count} of {MqttJsMessages} acknowledged, {failed} refused (v5 reason code >= 0x80, for the client to send again)");

        await subscriber.Inbox.WaitUntilAsync(
            r => acknowledged.IsSubsetOf(r.Select(m => m.Text)),
            $"all {acknowledged.Count} acknowledged messages at the persistent-session subscriber",
            TimeSpan.FromSeconds(60),
            () => $"missing: {string.Join(", ", acknowledged.Except(subscriber.Inbox.All.Select(m => m.Text)).Order())}\n{Describe()}");
        Assert.True(acknowledged.Count >= MqttJsMessages / 2, $"Only {acknowledged.Count} of {MqttJsMessages} publishes were accepted.\n{mqttJs.Describe(20)}");
    }
}
