using System.Text.Json;
using MqttCluster.EndToEnd.Tests.Infrastructure;
using MqttCluster.LoadGenerator;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The load generator (bench/LoadGenerator) against the real single node: short runs that must deliver every QoS 1
/// message once and report what bench/compare.sh reads. Speed is not asserted here (see docs/benchmarks.md).
/// </summary>
public sealed class LoadGeneratorSmokeTests(BrokerFixture fixture) : BrokerTest(fixture), IClassFixture<BrokerFixture>
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_pairwise_QoS_1_run_delivers_every_message_and_reports_the_fields_the_script_reads()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.TcpPort,
            Shape = LoadShape.Pairwise,
            Publishers = 3,
            Qos = 1,
            MessagesPerPublisher = 300,
            Label = "smoke",
        });

        Assert.Equal(900, report.Sent);
        Assert.Equal(900, report.Expected);
        Assert.Equal(0, report.Lost);
        Assert.True(report.QosKept, report.ToText());
        Assert.True(report.Received >= report.Expected, report.ToText());
        Assert.True(report.LatencyMaxUs >= report.LatencyP99Us && report.LatencyP99Us >= report.LatencyP50Us, report.ToText());

        using var json = JsonDocument.Parse(report.ToJson());
        string[] fields =
        [
            "label", "shape", "transport", "mqtt", "qos", "publishers", "subscribers", "payload_bytes", "sent", "expected",
            "received", "repeated", "lost", "qos_kept", "delivered_per_second", "sent_per_second", "latency_p50_us",
            "latency_p99_us", "latency_max_us", "generator_cpu_cores", "broker_cpu_cores", "broker_cpu_us_per_message",
            "generator_cpu_us_per_message", "generator_cheaper_than_broker", "connects_per_second", "connect_p99_us",
            "warnings",
        ];
        Assert.All(fields, f => Assert.True(json.RootElement.TryGetProperty(f, out _), $"'{f}' is missing from {report.ToJson()}"));
        Assert.Equal("pairwise", json.RootElement.GetProperty("shape").GetString());
        Assert.Equal("smoke", json.RootElement.GetProperty("label").GetString());
    }

    [Fact]
    public async Task A_timed_fan_out_over_WebSocket_with_MQTT_5_loses_no_QoS_1_message()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.WebSocketPort,
            Transport = BrokerTransport.WebSocket,
            ProtocolVersion = 5,
            Shape = LoadShape.FanOut,
            Subscribers = 3,
            Qos = 1,
            Rate = 200,
            Warmup = TimeSpan.FromSeconds(0.5),
            Duration = TimeSpan.FromSeconds(2),
            Drain = TimeSpan.FromSeconds(20),
            BrokerPids = [Environment.ProcessId],
        });

        Assert.True(report.Sent > 0, report.ToText());
        Assert.Equal(report.Sent * 3, report.Expected);
        Assert.Equal(0, report.Lost);
        Assert.True(report.QosKept, report.ToText());
        Assert.True(report.DeliveredPerSecond > 0, report.ToText());
        Assert.Equal("websocket", report.Transport);
    }

    [Fact]
    public async Task An_open_loop_QoS_1_stream_faster_than_its_subscriber_loses_nothing_at_default_limits()
    {
        // 20 000 messages from a publisher with 100 in flight, as fast as the broker acknowledges them: far more
        // than the subscriber's 1 000 queued messages if the broker acknowledged faster than it delivers.
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.TcpPort,
            Shape = LoadShape.Pairwise,
            Publishers = 1,
            Qos = 1,
            MessagesPerPublisher = 20_000,
        });

        Assert.Equal(20_000, report.Sent);
        Assert.Equal(0, report.Lost);
        Assert.True(report.QosKept, report.ToText());
    }

    [Fact]
    public async Task A_QoS_2_fan_in_over_MQTT_5_delivers_every_message_exactly_once()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.TcpPort,
            ProtocolVersion = 5,
            Shape = LoadShape.FanIn,
            Publishers = 4,
            Qos = 2,
            MessagesPerPublisher = 200,
            Inflight = 10,
        });

        Assert.Equal(800, report.Sent);
        Assert.Equal(800, report.Received);
        Assert.Equal(0, report.Repeated);
        Assert.True(report.QosKept, report.ToText());
    }

    [Fact]
    public async Task The_idle_shape_opens_and_closes_its_connections()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.TcpPort,
            Shape = LoadShape.Idle,
            Subscribers = 25,
            Hold = TimeSpan.Zero,
        });

        Assert.Equal(25, report.Connections);
        Assert.Equal(0, report.Sent);
        Assert.True(report.ConnectsPerSecond > 0 && report.ConnectP99Us > 0, report.ToText());
    }

    [Fact]
    public async Task The_idle_shape_reports_the_brokers_memory_around_the_run_in_the_fields_idle_sh_reads()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.TcpPort,
            Shape = LoadShape.Idle,
            Subscribers = 200,
            ConnectConcurrency = 100,
            Hold = TimeSpan.Zero,
            AfterClose = TimeSpan.FromSeconds(1),
            BrokerPids = [Environment.ProcessId],
        });

        Assert.Equal(200, report.Connections);
        Assert.NotNull(report.Memory);
        Assert.True(report.Memory.IdleRssKb > 0 && report.Memory.RssKb > 0 && report.Memory.RssAfterCloseKb > 0, report.ToText());
        Assert.True(report.GeneratorConnectCpuCores >= 0 && report.BrokerConnectCpuCores >= 0, report.ToText());

        using var json = JsonDocument.Parse(report.ToJson());
        Assert.True(json.RootElement.TryGetProperty("generator_connect_cpu_cores", out _), report.ToJson());
        var memory = json.RootElement.GetProperty("memory");
        string[] fields = ["idle_rss_kb", "rss_kb", "bytes_per_connection", "rss_after_close10s_kb", "rss_after_close_kb", "seconds_back_within20_percent"];
        Assert.All(fields, f => Assert.True(memory.TryGetProperty(f, out _), $"'{f}' is missing from {report.ToJson()}"));
    }

    [Fact]
    public async Task The_idle_shape_over_WebSocket_opens_and_closes_its_connections()
    {
        var report = await RunAsync(new LoadOptions
        {
            Port = Broker.WebSocketPort,
            Transport = BrokerTransport.WebSocket,
            Shape = LoadShape.Idle,
            Subscribers = 10,
            Hold = TimeSpan.Zero,
        });

        Assert.Equal(10, report.Connections);
        Assert.Null(report.Memory);
        Assert.True(report.ConnectsPerSecond > 0 && report.ConnectP99Us > 0, report.ToText());
    }

    [Fact]
    public void The_command_line_parses_what_compare_sh_passes_and_refuses_unknown_options()
    {
        var (options, error) = LoadCommandLine.Parse(
            ["--json", "--label", "ours", "--port", "1884", "--transport", "ws", "--broker-pid", "10", "--broker-pid", "11",
             "--duration", "8", "--warmup", "2", "--drain", "60", "--qos", "1", "--shape", "fan-in", "--publishers", "50",
             "--publish-port", "1885", "--mqtt", "5", "--background-subscriptions", "1000", "--rate", "2500.5", "--after-close", "60"]);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(LoadShape.FanIn, options.Shape);
        Assert.Equal(1, options.SubscriberCount);
        Assert.Equal([10, 11], options.BrokerPids);
        Assert.Equal(1885, options.PublishPort);
        Assert.Equal(2500.5, options.Rate);
        Assert.Equal(TimeSpan.FromSeconds(60), options.AfterClose);

        Assert.Null(LoadCommandLine.Parse(["--qos", "3"]).Options);
        Assert.Contains("--nonsense", LoadCommandLine.Parse(["--nonsense"]).Error, StringComparison.Ordinal);
    }

    private static async Task<LoadReport> RunAsync(LoadOptions options)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        return await new LoadRun(options).RunAsync(timeout.Token);
    }
}
