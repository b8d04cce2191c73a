using System.Diagnostics;
using System.Globalization;
using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// Every node stopped and started again with PostgreSQL kept: retained messages, persistent sessions, their
/// subscriptions and their queued messages live in the database, so none of them is lost (DESIGN, storage).
/// </summary>
public sealed class ClusterRestartTests(RestartCluster cluster, ITestOutputHelper output)
    : ClusterTest<RestartCluster>(cluster, output), IClassFixture<RestartCluster>
{
    [Fact]
    public async Task Retained_messages_and_a_persistent_session_with_its_queue_survive_a_full_cluster_restart()
    {
        var topic = NewTopic();
        var clientId = MqttTestClient.NewClientId("restart");
        var gateway = Cluster.Gateways[0];
        var coHosted = Cluster.GatewaySilos[0];

        var session = await ConnectAsync(gateway, MqttTransport.Tcp, clientId, o => o.WithCleanStart(false).WithSessionExpiryInterval(3600));
        await session.SubscribeAsync($"{topic}/queued/#", MqttQualityOfServiceLevel.ExactlyOnce);
        await session.DisconnectAsync();

        var publisher = await ConnectAsync(coHosted, MqttTransport.WebSocket);
        await publisher.PublishAsync($"{topic}/retained", "kept across restarts", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        string[] queued = ["q1", "q2", "q3"];
        foreach (var payload in queued)
        {
            // PUBACK / PUBCOMP only once the offline session stored it.
            await publisher.PublishAsync($"{topic}/queued/a", payload, payload == "q2" ? MqttQualityOfServiceLevel.ExactlyOnce : MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await publisher.DisconnectAsync();

        var stopwatch = Stopwatch.StartNew();
        var exitCodes = await Cluster.StopAllAsync();
        Assert.True(
            exitCodes.Values.All(code => code == 0),
            $"Every node should exit 0 on Ctrl-C: {string.Join(", ", exitCodes.Select(e => $"{e.Key}={e.Value?.ToString(CultureInfo.InvariantCulture) ?? "killed"}"))}\n{Describe()}");
        Output.WriteLine($"all {exitCodes.Count} nodes stopped in {stopwatch.Elapsed.TotalSeconds:0.0} s (PostgreSQL kept)");
        stopwatch.Restart();
        await Cluster.StartAllAsync();
        Output.WriteLine($"all nodes started again and ready in {stopwatch.Elapsed.TotalSeconds:0.0} s");

        // The session, on the other kind of gateway this time.
        var resumed = await ConnectAsync(coHosted, MqttTransport.Tcp, clientId, o => o.WithCleanStart(false).WithSessionExpiryInterval(3600));
        Assert.True(resumed.ConnectResult.IsSessionPresent, "The persistent session should survive the restart (session present).");
        var delivered = await resumed.Inbox.TakeAsync(queued.Length, "the messages queued before the restart", context: Describe);
        Assert.Equal(queued, delivered.Select(m => m.Text));
        Assert.Equal(
            [MqttQualityOfServiceLevel.AtLeastOnce, MqttQualityOfServiceLevel.ExactlyOnce, MqttQualityOfServiceLevel.AtLeastOnce],
            delivered.Select(m => m.QualityOfService));

        // Its subscription is routable again: a message published on another gateway arrives live.
        var newPublisher = await ConnectAsync(gateway);
        var marker = NewMarker();
        await newPublisher.PublishAsync($"{topic}/queued/b", marker, MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal([marker], (await resumed.Inbox.UntilMarkerAsync(marker, context: Describe)).Select(m => m.Text));

        // The retained message, exact and through the retained index for a wildcard.
        var reader = await ConnectAsync(gateway, MqttTransport.WebSocket);
        await reader.SubscribeAsync($"{topic}/retained");
        await reader.SubscribeAsync($"{topic}/+");
        var retained = await reader.Inbox.TakeAsync(2, "the retained message for an exact and a wildcard subscription", context: Describe);
        Assert.All(retained, m => Assert.Equal(($"{topic}/retained", "kept across restarts", true), (m.Topic, m.Text, m.Retain)));
    }
}
