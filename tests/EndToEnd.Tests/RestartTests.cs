using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// Retained messages survive the broker process: stopped with Ctrl-C, or killed with SIGKILL right after the
/// PUBACK (the store is SQLite in WAL mode with synchronous=NORMAL, so a committed write survives a process crash).
/// Each test starts its own brokers on one data directory.
/// </summary>
public sealed class RestartTests : IDisposable
{
    private readonly TempDirectory _data = new("restart");

    [Fact]
    public async Task Retained_message_survives_a_clean_stop_and_restart()
    {
        var topic = $"e2e/restart/clean/{Guid.NewGuid():N}";
        await using (var first = await BrokerProcess.StartAsync(_data.Path))
        {
            await new MosquittoClients(first).PublishAsync("-t", topic, "-m", "kept across ctrl-c", "-q", "1", "-r");
            var exitCode = await first.StopAsync();
            Assert.True(exitCode == 0, $"The broker exited with {exitCode} after Ctrl-C.\n{first.Describe()}");
        }

        await using var second = await BrokerProcess.StartAsync(_data.Path);
        await AssertRetainedAsync(second, topic, "1 1 kept across ctrl-c");
        Assert.Equal(0, await second.StopAsync());
    }

    [Fact]
    public async Task Acknowledged_retained_message_survives_SIGKILL_of_the_broker()
    {
        var topic = $"e2e/restart/killed/{Guid.NewGuid():N}";
        await using (var first = await BrokerProcess.StartAsync(_data.Path))
        {
            await PublishAcknowledgedAsync(first, topic, "kept across kill -9");

            // Killed straight after the PUBACK: no shutdown code runs, no checkpoint of the WAL.
            await first.KillAsync();
        }

        await using var second = await BrokerProcess.StartAsync(_data.Path);
        await AssertRetainedAsync(second, topic, "1 1 kept across kill -9");
        Assert.Equal(0, await second.StopAsync());
    }

    public void Dispose() => _data.Dispose();

    private static async Task PublishAcknowledgedAsync(BrokerProcess broker, string topic, string payload)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.TcpPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .Build();
        await client.ConnectAsync(options, timeout.Token);
        var result = await client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag()
                .Build(),
            timeout.Token);
        Assert.True(result.IsSuccess, $"PUBACK reason {result.ReasonCode}.\n{broker.Describe()}");
    }

    private static async Task AssertRetainedAsync(BrokerProcess broker, string topic, string expected)
    {
        await using var subscriber = new MosquittoClients(broker).StartSubscriber("-t", topic, "-q", "1", "-F", "%r %q %p", "-C", "1");
        await subscriber.AssertSucceedsAsync(MosquittoClients.Timeout, broker.Describe);
        OutputAssert.Lines([expected], subscriber.Output.Lines, broker.Describe);
    }
}
