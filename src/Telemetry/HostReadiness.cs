using Microsoft.Extensions.Hosting;

namespace MqttCluster.Telemetry;

/// <summary>
/// Ready means every hosted service has started — the silo joined its cluster, the gateway registered and its
/// listeners accept clients — and the host is not stopping (a stopping node should get no new clients).
/// </summary>
public sealed class HostReadiness(IHostApplicationLifetime lifetime)
{
    public bool IsReady =>
        lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
}
