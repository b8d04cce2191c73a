using System.Globalization;
using System.Text.RegularExpressions;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// <c>$SYS</c> topics as Mosquitto's clients see them: retained values under <c>$SYS/broker/...</c> (cluster-wide)
/// and <c>$SYS/broker/nodes/{node}/...</c>, updated every <c>Telemetry:SysInterval</c> seconds.
/// </summary>
public sealed partial class SysTopicTests(SysTopicTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<SysTopicTests.Fixture>
{
    private readonly MosquittoClients _clients = new(fixture.Broker);

    [Fact]
    public async Task A_dollar_SYS_subscriber_sees_the_broker_count_its_connection_and_messages()
    {
        await using var subscriber = _clients.StartSubscriber("-t", "$SYS/#", "-v", "-i", "sys-watcher");

        await subscriber.WaitForOutputLineAsync(l => l.StartsWith("$SYS/broker/version mqtt-cluster version ", StringComparison.Ordinal), MosquittoClients.Timeout, "the version", Broker.Describe);
        await subscriber.WaitForOutputLineAsync(l => l.StartsWith("$SYS/broker/uptime ", StringComparison.Ordinal) && l.EndsWith(" seconds", StringComparison.Ordinal), MosquittoClients.Timeout, "the uptime", Broker.Describe);
        await subscriber.WaitForOutputLineAsync(l => Value(l, "$SYS/broker/clients/connected") >= 1, MosquittoClients.Timeout, "clients/connected counting the subscriber itself", Broker.Describe);
        await subscriber.WaitForOutputLineAsync(l => NodeConnected().Match(l) is { Success: true } m && m.Groups[1].Value != "0", MosquittoClients.Timeout, "a node's clients/connected", Broker.Describe);
        await subscriber.WaitForOutputLineAsync(l => Value(l, "$SYS/broker/retained messages/count") >= 1, MosquittoClients.Timeout, "the retained message count", Broker.Describe);
        var before = Value(await subscriber.WaitForOutputLineAsync(l => Value(l, "$SYS/broker/messages/received") >= 0, MosquittoClients.Timeout, "messages/received", Broker.Describe), "$SYS/broker/messages/received");

        for (var i = 0; i < 3; i++)
        {
            await _clients.PublishAsync("-t", "sys-test/counted", "-m", "m", "-q", "1");
        }

        await subscriber.WaitForOutputLineAsync(l => Value(l, "$SYS/broker/messages/received") >= before + 3, MosquittoClients.Timeout, $"messages/received to grow from {before} by the 3 published messages", Broker.Describe);
    }

    [Fact]
    public async Task A_subscription_to_everything_does_not_match_dollar_SYS()
    {
        // Wait until the $SYS values exist, so a subscriber to '#' would get them as retained messages if it matched.
        await using (var sys = _clients.StartSubscriber("-t", "$SYS/broker/uptime", "-v", "-C", "1"))
        {
            await sys.AssertSucceedsAsync(MosquittoClients.Timeout, Broker.Describe);
        }

        // [MQTT-4.7.2-1]: '#' does not match topics starting with '$'. The retained messages for '#' come in one
        // batch in topic order, so '$SYS/...' would come before the retained marker.
        await _clients.PublishAsync("-t", "sys-test/everything/marker", "-m", "ready", "-q", "1", "-r");
        await using var everything = _clients.StartSubscriber("-t", "#", "-v", "-i", "everything-watcher");
        await everything.WaitForOutputLineAsync(l => l == "sys-test/everything/marker ready", MosquittoClients.Timeout, "the retained marker", Broker.Describe);

        Assert.DoesNotContain(everything.Output.Lines, l => l.StartsWith('$'));
    }

    [GeneratedRegex(@"^\$SYS/broker/nodes/[^/]+/clients/connected ([0-9]+)$")]
    private static partial Regex NodeConnected();

    /// <summary>The number after "<paramref name="topic"/> " at the start of <paramref name="line"/>, or -1.</summary>
    private static long Value(string line, string topic) =>
        line.StartsWith(topic + " ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(topic.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : -1;

    public sealed class Fixture : BrokerFixture
    {
        protected override string[] ExtraArguments => ["--Telemetry:SysInterval=1"];
    }
}
