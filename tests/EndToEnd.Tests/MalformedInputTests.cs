using System.Diagnostics;
using System.Text;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// Hand-written bad bytes on raw TCP connections. Each one must close only its own connection (with the CONNACK
/// or DISCONNECT the spec asks for, and a warning in the log) while a healthy MQTTnet client, connected before,
/// keeps exchanging messages, and the process stays up. The broker runs with Mqtt:MaxPacketSize=1024 and
/// Mqtt:ConnectTimeout=2 s.
/// </summary>
public sealed class MalformedInputTests(StrictBrokerFixture fixture) : BrokerTest(fixture), IClassFixture<StrictBrokerFixture>
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(5);

    private HealthyClient? _healthy;
    private BackgroundTraffic? _traffic;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _healthy = await HealthyClient.ConnectAsync(Broker);
        _traffic = _healthy.StartTraffic();
    }

    public override async Task DisposeAsync()
    {
        if (_traffic is not null)
        {
            await _traffic.DisposeAsync();
        }

        if (_healthy is not null)
        {
            await _healthy.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    [Fact]
    public async Task Garbage_before_CONNECT_closes_the_connection()
    {
        await using var raw = await RawMqttConnection.OpenAsync(Broker);
        await raw.SendAsync(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("this is not MQTT at all\r\n", 12))));
        await AssertClosedByBrokerAsync(raw, [], "broke the protocol");
    }

    [Fact]
    public async Task PUBLISH_before_CONNECT_closes_the_connection()
    {
        await using var raw = await RawMqttConnection.OpenAsync(Broker);
        await raw.SendAsync(MqttBytes.Publish("e2e/too-early", "hi"));
        await AssertClosedByBrokerAsync(raw, [], "not CONNECT");
    }

    [Fact]
    public async Task CONNECT_with_protocol_level_7_gets_CONNACK_unacceptable_version_then_close()
    {
        await using var raw = await RawMqttConnection.OpenAsync(Broker);
        await raw.SendAsync(MqttBytes.Connect("level-7", protocolLevel: 7));

        // [MQTT-3.1.2-2]: CONNACK with return code 0x01, then the connection is closed.
        await AssertClosedByBrokerAsync(raw, MqttBytes.ConnAckUnacceptableProtocolVersion, "broke the protocol");
    }

    [Fact]
    public async Task Truncated_packet_then_end_of_stream_closes_the_connection()
    {
        await using var raw = await RawMqttConnection.OpenAsync(Broker);
        var connect = MqttBytes.Connect("truncated");
        await raw.SendAsync(connect[..(connect.Length - 4)]);
        raw.ShutdownSend();
        await AssertClosedByBrokerAsync(raw, [], "in the middle of a packet");
    }

    [Fact]
    public async Task Remaining_length_of_five_bytes_closes_the_connection()
    {
        await using var raw = await RawMqttConnection.OpenAsync(Broker);

        // [MQTT-1.5.5]: at most four bytes; the fifth has nothing to mean.
        await raw.SendAsync(MqttBytes.ConnectHeader, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F);
        await AssertClosedByBrokerAsync(raw, [], "more than four bytes");
    }

    [Fact]
    public async Task Packet_over_the_maximum_size_closes_an_MQTT_3_1_1_connection()
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);

        // Only the header: the limit is checked before the body is buffered.
        await raw.SendAsync([MqttBytes.PublishHeader, .. MqttBytes.RemainingLength(StrictBrokerFixture.MaxPacketSize * 2)]);
        await AssertClosedByBrokerAsync(raw, [], "PacketTooLarge");
    }

    [Fact]
    public async Task Packet_over_the_maximum_size_gets_DISCONNECT_0x95_on_MQTT_5()
    {
        await using var raw = await ConnectedAsync(protocolLevel: 5);
        await raw.SendAsync([MqttBytes.PublishHeader, .. MqttBytes.RemainingLength(StrictBrokerFixture.MaxPacketSize + 1), 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b']);

        // MQTT 5 section 3.2.2.3.6 and [MQTT-4.13.2-1]: DISCONNECT 0x95 (Packet too large), then the close.
        var result = await AssertClosedByBrokerAsync(raw, null, "PacketTooLarge");
        Assert.True(
            result.Received.Length >= 3 && result.Received[0] == 0xE0 && result.Received[2] == 0x95,
            $"Expected DISCONNECT with reason 0x95 before the close, got {MqttBytes.Hex(result.Received)}.\n{Broker.Describe()}");
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0xF0)]
    public async Task Reserved_packet_type_or_AUTH_on_MQTT_3_1_1_closes_the_connection(byte fixedHeader)
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);
        await raw.SendAsync(fixedHeader, 0x00);
        await AssertClosedByBrokerAsync(raw, [], "broke the protocol");
    }

    [Fact]
    public async Task PUBLISH_topic_that_is_not_UTF_8_closes_the_connection()
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);

        // 0xC3 0x28: a two-byte sequence whose second byte is not a continuation byte: a malformed packet
        // [MQTT-1.5.4-1].
        await raw.SendAsync(MqttBytes.Publish([(byte)'a', (byte)'/', 0xC3, 0x28], "bad topic"));
        await AssertClosedByBrokerAsync(raw, [], "MalformedPacket");
    }

    [Theory]
    [InlineData("e2e/+/x")]
    [InlineData("e2e/#")]
    public async Task PUBLISH_topic_with_a_wildcard_closes_the_connection(string topic)
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);

        // [MQTT-3.3.2-2]: a topic name must not contain wildcards.
        await raw.SendAsync(MqttBytes.Publish(topic, "wild"));
        await AssertClosedByBrokerAsync(raw, [], "TopicNameInvalid");
    }

    [Fact]
    public async Task SUBSCRIBE_with_an_invalid_filter_gets_SUBACK_0x80_and_the_connection_stays_open()
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);
        await raw.SendAsync(MqttBytes.Subscribe(7, "a/#/b", 1));

        // [MQTT-4.7.1-2] '#' must be last: refused with 0x80 in the SUBACK, not a protocol error.
        var subAck = await raw.ReadPacketAsync(ReplyTimeout);
        Assert.Equal(MqttBytes.Hex([0x90, 0x03, 0x00, 0x07, 0x80]), MqttBytes.Hex(subAck));
        await raw.SendAsync(MqttBytes.PingReq);
        Assert.Equal(MqttBytes.Hex(MqttBytes.PingResp), MqttBytes.Hex(await raw.ReadPacketAsync(ReplyTimeout)));
        await AssertBrokerUnaffectedAsync();
    }

    [Fact]
    public async Task Second_CONNECT_on_a_connection_closes_it()
    {
        await using var raw = await ConnectedAsync(protocolLevel: 4);
        await raw.SendAsync(MqttBytes.Connect($"again-{Guid.NewGuid():N}"));

        // [MQTT-3.1.0-2]: a second CONNECT is a protocol violation.
        await AssertClosedByBrokerAsync(raw, [], "Second CONNECT");
    }

    [Fact]
    public async Task Connection_that_never_sends_CONNECT_is_closed_after_the_connect_timeout()
    {
        var stopwatch = Stopwatch.StartNew();
        await using var raw = await RawMqttConnection.OpenAsync(Broker);
        var result = await raw.ReadUntilClosedAsync(StrictBrokerFixture.ConnectTimeout + CloseTimeout);
        var elapsed = stopwatch.Elapsed;

        Assert.True(result.Closed, $"The broker did not close a silent connection ({result.How}).\n{Broker.Describe()}");
        Assert.True(
            elapsed >= StrictBrokerFixture.ConnectTimeout * 0.9,
            $"Closed after {elapsed.TotalSeconds:0.00} s, before the connect timeout of {StrictBrokerFixture.ConnectTimeout.TotalSeconds} s.");
        Assert.Equal("(no bytes)", MqttBytes.Hex(result.Received));
        await AssertWarningLoggedAsync(raw, "sent no CONNECT");
        await AssertBrokerUnaffectedAsync();
    }

    /// <summary>A raw connection after a valid CONNECT and its CONNACK.</summary>
    private async Task<RawMqttConnection> ConnectedAsync(byte protocolLevel)
    {
        var raw = await RawMqttConnection.OpenAsync(Broker);
        await raw.SendAsync(MqttBytes.Connect($"raw-{Guid.NewGuid():N}", protocolLevel));
        var connAck = await raw.ReadPacketAsync(ReplyTimeout);
        if (protocolLevel == 5)
        {
            Assert.True(connAck is [0x20, _, 0x00, 0x00, ..], $"Expected a successful v5 CONNACK, got {MqttBytes.Hex(connAck)}.");
        }
        else
        {
            Assert.Equal(MqttBytes.Hex(MqttBytes.ConnAckAccepted311), MqttBytes.Hex(connAck));
        }

        return raw;
    }

    /// <summary>
    /// The broker closes the connection within a few seconds, having sent exactly <paramref name="expected"/>
    /// (null: anything) and logged a warning naming this connection; everyone else is unaffected.
    /// </summary>
    private async Task<CloseResult> AssertClosedByBrokerAsync(RawMqttConnection raw, byte[]? expected, string logFragment)
    {
        var result = await raw.ReadUntilClosedAsync(CloseTimeout);
        Assert.True(result.Closed, $"The broker did not close the connection ({result.How}); it sent {MqttBytes.Hex(result.Received)}.\n{Broker.Describe()}");
        if (expected is not null)
        {
            Assert.True(
                expected.AsSpan().SequenceEqual(result.Received),
                $"Expected {MqttBytes.Hex(expected)} before the close ({result.How}), got {MqttBytes.Hex(result.Received)}.\n{Broker.Describe()}");
        }

        await AssertWarningLoggedAsync(raw, logFragment);
        await AssertBrokerUnaffectedAsync();
        return result;
    }

    private async Task AssertWarningLoggedAsync(RawMqttConnection raw, string fragment)
    {
        var line = await Broker.Log.WaitForLineAsync(
            l => BrokerLogLines.IsWarning(l) && l.Contains(raw.LocalEndpoint + " ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(5));
        Assert.True(line is not null, $"No warning about the connection from {raw.LocalEndpoint} in the broker log.\n{Broker.Describe()}");
        Assert.True(line.Contains(fragment, StringComparison.Ordinal), $"The warning does not mention '{fragment}': {line}");
    }

    private async Task AssertBrokerUnaffectedAsync()
    {
        await _traffic!.StopAndAssertAsync(Broker);
        Broker.AssertAlive("after the bad connection");
    }
}
