using System.Net;
using MqttCluster.Gateway.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>Liveness, readiness and the Prometheus scrape on the management port, and only there.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class ManagementPortTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>, IDisposable
{
    private readonly ManagementClient _management = new(broker);

    [Theory]
    [InlineData("/healthz", "ok")]
    [InlineData("/readyz", "ready")]
    public async Task A_running_broker_is_live_and_ready(string path, string body)
    {
        using var response = await _management.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, (await response.Content.ReadAsStringAsync()).Trim());
    }

    [Fact]
    public async Task Metrics_are_served_in_the_Prometheus_format()
    {
        using var response = await _management.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("# TYPE mqtt_broker_connections_active gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE mqtt_broker_routes gauge", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_collections_total counter", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/metrics")]
    public async Task The_MQTT_WebSocket_port_does_not_serve_management_paths(string path)
    {
        using var response = await _management.GetAsync(path, Broker.WebSocketEndPoint.Port);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public void Dispose() => _management.Dispose();
}
