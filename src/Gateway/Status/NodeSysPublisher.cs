using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Status;

/// <summary>
/// Publishes this node's own <c>$SYS/broker/nodes/{node}/...</c> values every <c>Telemetry:SysInterval</c>
/// seconds, retained and only those that changed, through the normal publish path; clears them when the node
/// stops, so a node that left leaves no stale values (one that crashed does, until it returns under its name).
/// </summary>
public sealed partial class NodeSysPublisher(
    IBrokerCluster cluster,
    LocalNode node,
    ConnectedClients clients,
    LocalSubscriptions subscriptions,
    BrokerMetrics metrics,
    IOptions<TelemetryOptions> telemetry,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<NodeSysPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan ClearTimeout = TimeSpan.FromSeconds(3);

    private readonly SysLoad _load = new();
    private readonly SysPublication _published = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (telemetry.Value.SysInterval <= 0)
        {
            return;
        }

        await LifetimeEvents.StartedAsync(lifetime, stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(telemetry.Value.SysInterval), timeProvider);
        do
        {
            await PublishAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        var topics = _published.Topics.ToArray();
        if (topics.Length == 0)
        {
            return;
        }

        try
        {
            // An empty retained message removes the retained value [MQTT-3.3.1-6].
            await Task.WhenAll(topics.Select(t => cluster.PublishAsync(t, [Message(t, [])]))).WaitAsync(ClearTimeout, cancellationToken);
        }
        catch (Exception exception)
        {
            LogClearFailed(exception);
        }
    }

    private async Task PublishAsync()
    {
        var now = timeProvider.GetUtcNow();
        var totals = metrics.Totals;
        var connected = clients.Count;
        node.ObserveConnections(connected);
        _load.Update(totals, now);
        var values = new SysValues
        {
            Uptime = now - node.StartedAt,
            ClientsConnected = connected,
            ClientsMaximum = node.MaxConnections,
            Totals = totals,
            Subscriptions = subscriptions.Count,
            Load = _load,
        };

        var changes = _published.Changes(SysTopics.Describe(SysTopics.NodeRoot(node.Name), values));
        try
        {
            await Task.WhenAll(changes.Select(c => cluster.PublishAsync(c.Key, [Message(c.Key, Encoding.UTF8.GetBytes(c.Value))])));
        }
        catch (Exception exception)
        {
            _published.Forget();
            LogPublishFailed(exception);
        }
    }

    private static BrokerMessage Message(string topic, byte[] payload) => new()
    {
        Topic = topic,
        Payload = payload,
        Retain = true,
        MessageId = Guid.NewGuid(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing this node's $SYS topics failed; all are published again next time")]
    private partial void LogPublishFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Clearing this node's retained $SYS topics at shutdown failed")]
    private partial void LogClearFailed(Exception exception);
}
