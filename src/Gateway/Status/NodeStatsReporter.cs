using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Status;

/// <summary>
/// Every <see cref="Interval"/>, tells the cluster stats grain how this gateway is doing: connections,
/// subscriptions, running totals, the busiest topics since the last report and a bounded sample of its clients.
/// </summary>
public sealed partial class NodeStatsReporter(
    IGrainFactory grainFactory,
    GatewayIdentity identity,
    LocalNode node,
    ConnectedClients clients,
    LocalSubscriptions subscriptions,
    BrokerMetrics metrics,
    TopicActivity topicActivity,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    ILogger<NodeStatsReporter> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>Topics per report; the stats grain keeps the cluster's busiest of these.</summary>
    private const int TopTopics = 10;

    private DateTimeOffset _lastReport;
    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await LifetimeEvents.StartedAsync(lifetime, stoppingToken);
        _lastReport = timeProvider.GetUtcNow();
        topicActivity.Drain(0);
        using var timer = new PeriodicTimer(Interval, timeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await grainFactory.GetGrain<IClusterStatsGrain>(IClusterStatsGrain.Key).ReportAsync(CreateReport());
                _failing = false;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Once per outage: the cluster may be re-electing a silo; the next report replaces this one.
                if (!_failing)
                {
                    LogReportFailed(exception);
                }

                _failing = true;
            }
        }
    }

    private NodeReport CreateReport()
    {
        var now = timeProvider.GetUtcNow();
        var connections = clients.Count;
        node.ObserveConnections(connections);
        var topics = topicActivity.Drain(TopTopics);
        var report = new NodeReport
        {
            Node = node.Name,
            GatewayId = identity.GatewayId,
            HostName = node.HostName,
            StartedAt = node.StartedAt,
            Connections = connections,
            Subscriptions = subscriptions.Count,
            Counters = NodeCounters.From(metrics.Totals),
            TopTopics = [.. topics.Busiest.Select(t => new TopicCount(t.Key, t.Value))],
            IntervalSeconds = (now - _lastReport).TotalSeconds,
            Clients = [.. clients.FirstByClientId(NodeReport.ClientSampleSize)
                .Select(c => new ConnectedClient(c.ClientId, c.Endpoint, c.ProtocolVersion.ToString()))],
        };
        _lastReport = now;
        return report;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting this gateway's statistics to the cluster failed; retrying")]
    private partial void LogReportFailed(Exception exception);
}
