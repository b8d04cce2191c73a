using Microsoft.Extensions.Hosting;
using MqttCluster.Gateway.Connections;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// Closes every MQTT connection with v5 reason 0x8B (server shutting down) when the host begins to stop, before
/// ASP.NET Core tears down WebSocket connections on ApplicationStopping and the goodbye would be lost.
/// </summary>
public sealed class GatewayShutdown(ConnectedClients clients) : IHostedLifecycleService
{
    private static readonly TimeSpan GoodbyeTimeout = TimeSpan.FromSeconds(5);

    public Task StoppingAsync(CancellationToken cancellationToken) =>
        clients.CloseAllAsync(MqttDisconnectReasonCode.ServerShuttingDown, GoodbyeTimeout);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
