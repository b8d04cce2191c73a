using MqttCluster.Gateway.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>What a connection logs carries its connection id and client id as scope properties.</summary>
public sealed class ConnectionLogScopeTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task Connection_log_lines_carry_the_client_and_connection_ids()
    {
        var clientId = NewClientId("scoped");
        var client = await ConnectAsync(clientId: clientId);
        await client.DisconnectAsync();

        LogEntry? line = null;
        await Within.PollAsync(
            () => Task.FromResult((line = Broker.Log.Entries.LastOrDefault(e => e.Message.Contains($"'{clientId}'", StringComparison.Ordinal) && e.Message.Contains("disconnected", StringComparison.Ordinal))) is not null),
            $"the disconnect line of {clientId}",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(20));

        Assert.Contains(line!.Scopes, p => p.Key == "ClientId" && Equals(p.Value, clientId));
        Assert.Contains(line.Scopes, p => p.Key == "ConnectionId" && p.Value is string { Length: > 0 });
    }
}
