using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Hosting;

namespace MqttCluster.Gateway.Status;

/// <summary>
/// This gateway as the status page and <c>$SYS</c> name it: <c>Telemetry:NodeName</c>, or the host name and the
/// MQTT port, which stay the same when the node restarts, so it updates its own retained <c>$SYS</c> values
/// rather than leaving a second set behind. Read once the listeners are bound (a port of 0 is known only then).
/// </summary>
public sealed class LocalNode(IOptions<TelemetryOptions> telemetry, GatewayEndpoints endpoints, TimeProvider timeProvider)
{
    private int _maxConnections;

    public DateTimeOffset StartedAt { get; } = timeProvider.GetUtcNow();

    public string HostName { get; } = Environment.MachineName;

    public string Name => field ??= SysTopics.NodeLevel(telemetry.Value.NodeName is { Length: > 0 } name ? name : DefaultName());

    /// <summary>The most clients seen connected at once (sampled when the node reports).</summary>
    public int MaxConnections => Volatile.Read(ref _maxConnections);

    public void ObserveConnections(int connections)
    {
        var max = Volatile.Read(ref _maxConnections);
        while (connections > max)
        {
            var seen = Interlocked.CompareExchange(ref _maxConnections, connections, max);
            if (seen == max)
            {
                return;
            }

            max = seen;
        }
    }

    private string DefaultName()
    {
        var port = (endpoints.TcpEndPoint ?? endpoints.WebSocketEndPoint ?? endpoints.TlsEndPoint ?? endpoints.TlsWebSocketEndPoint)?.Port;
        return port is { } p ? $"{HostName}-{p}" : HostName;
    }
}
