using MqttCluster.Core.Configuration;
using MqttCluster.Silo.Configuration;

namespace MqttCluster.Gateway.Tests.Listeners;

/// <summary>A mosquitto.conf's limits as the broker's settings: what Mosquitto announces, we announce.</summary>
public sealed class MosquittoLimitsMappingTests
{
    [Theory]
    [InlineData("max_inflight_messages 7", "7")]
    [InlineData("", "20")]
    public void Max_inflight_messages_is_also_the_announced_receive_maximum(string line, string expected)
    {
        var mapped = MosquittoConfigMapping.Map(MosquittoConfigParser.ParseText(line, "/etc/mosquitto/mosquitto.conf"));

        Assert.Empty(mapped.Errors);
        Assert.Equal((expected, expected), (mapped.Settings["Mqtt:MaxInflightMessages"], mapped.Settings["Mqtt:ReceiveMaximum"]));
    }

    [Fact]
    public void Connection_messages_false_turns_off_the_connect_and_disconnect_lines_only()
    {
        var quiet = MosquittoConfigMapping.Map(MosquittoConfigParser.ParseText("connection_messages false", "/etc/mosquitto/mosquitto.conf"));
        var usual = MosquittoConfigMapping.Map(MosquittoConfigParser.ParseText("", "/etc/mosquitto/mosquitto.conf"));

        Assert.Empty(quiet.Errors);
        Assert.DoesNotContain(quiet.Warnings, w => w.Contains("connection_messages", StringComparison.Ordinal));
        Assert.Equal("Warning", quiet.Settings["Logging:LogLevel:MqttCluster.Gateway.Connection.Lifecycle"]);
        Assert.Equal("Information", quiet.Settings["Logging:LogLevel:Default"]);
        Assert.False(usual.Settings.ContainsKey("Logging:LogLevel:MqttCluster.Gateway.Connection.Lifecycle"));
    }
}
