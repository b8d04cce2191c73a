using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;

namespace MqttCluster.Grains.Status;

/// <summary>
/// Collects the gateways' reports (see <see cref="ClusterStatistics"/>), reads the silos from cluster membership
/// and the retained-message count from the retained index every sample, and — the only publisher of cluster-wide
/// values — publishes <c>$SYS/broker/...</c> every <see cref="TelemetryOptions.SysInterval"/> seconds.
/// Gateways report every two seconds, which keeps this grain active while the cluster has any.
/// Its timers do nothing once the host is stopping: the grain lives until the silo deactivates its grains, but from
/// the moment the silo leaves membership Orleans cannot place the management grain and logs each such call as an
/// error (the end-to-end fixtures found them in a broker's log after Ctrl-C).
/// </summary>
public sealed partial class ClusterStatsGrain(
    TimeProvider timeProvider,
    IOptions<TelemetryOptions> telemetry,
    Bridges.BridgeDefinitions bridges,
    IHostApplicationLifetime lifetime,
    ILogger<ClusterStatsGrain> logger) : Grain, IClusterStatsGrain
{
    private readonly ClusterStatistics _statistics = new(timeProvider);
    private readonly SysLoad _load = new();
    private readonly SysPublication _published = new();
    private readonly DateTimeOffset _activatedAt = timeProvider.GetUtcNow();
    private ClusterSilo[] _silos = [];
    private long? _retainedMessages;
    private BridgeStatus[] _bridges = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await ReadClusterAsync();
        this.RegisterGrainTimer(SampleAsync, ClusterStatistics.SampleInterval, ClusterStatistics.SampleInterval);
        if (telemetry.Value.SysInterval > 0)
        {
            var interval = TimeSpan.FromSeconds(telemetry.Value.SysInterval);
            this.RegisterGrainTimer(PublishSysAsync, interval, interval);
        }
    }

    public Task ReportAsync(NodeReport report)
    {
        _statistics.Report(report);
        return Task.CompletedTask;
    }

    public Task<ClusterStatus> GetStatusAsync() => Task.FromResult(_statistics.Snapshot(_silos, _retainedMessages) with { Bridges = _bridges });

    private bool HostStopping => lifetime.ApplicationStopping.IsCancellationRequested;

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        if (HostStopping)
        {
            return;
        }

        _statistics.Tick();
        await ReadClusterAsync();
    }

    private async Task ReadClusterAsync()
    {
        try
        {
            var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false);
            _silos = [.. hosts
                .OrderBy(h => h.SiloName, StringComparer.Ordinal)
                .Select(h => new ClusterSilo(h.SiloAddress.ToString(), h.SiloName, h.HostName, h.Status.ToString(), h.StartTime))];
            var counts = await Task.WhenAll(Enumerable.Range(0, RetainedIndexPartition.Count)
                .Select(p => GrainFactory.GetGrain<IRetainedIndexGrain>(p).CountAsync()));
            _retainedMessages = counts.Sum(c => (long)c);
            var managed = await GrainFactory.GetGrain<IBridgeRegistryGrain>(IBridgeRegistryGrain.Key).ListAsync();
            var names = bridges.Bridges.Select(b => b.Name).Union(managed.Select(b => b.Options.Name), StringComparer.Ordinal);
            _bridges = await Task.WhenAll(names.Select(name => GrainFactory.GetGrain<IBridgeGrain>(name).GetStatusAsync()));
        }
        catch (Exception exception)
        {
            LogClusterReadFailed(exception);
        }
    }

    private async Task PublishSysAsync(CancellationToken cancellationToken)
    {
        if (HostStopping)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var totals = _statistics.Totals.ToTotals();
        _load.Update(totals, now);
        var started = _silos.Where(s => s.State == "Active").Select(s => s.StartedAt).DefaultIfEmpty(_activatedAt).Min();
        var values = new SysValues
        {
            Uptime = now - started,
            ClientsConnected = _statistics.Connections,
            ClientsMaximum = _statistics.MaxConnections,
            Totals = totals,
            Subscriptions = _statistics.Subscriptions,
            Load = _load,
            RetainedMessages = _retainedMessages,
            Gateways = _statistics.Gateways.Count,
            Silos = _silos.Count(s => s.State == "Active"),
        };

        var changes = _published.Changes(SysTopics.Describe(SysTopics.Root, values));
        try
        {
            await Task.WhenAll(changes.Select(c => GrainFactory.GetGrain<ITopicGrain>(c.Key).PublishAsync([SysMessage(c.Key, c.Value)])));
        }
        catch (Exception exception)
        {
            // Published again in full next time, so the retained values catch up.
            _published.Forget();
            LogSysPublishFailed(exception);
        }
    }

    private static BrokerMessage SysMessage(string topic, string payload) => new()
    {
        Topic = topic,
        Payload = Encoding.UTF8.GetBytes(payload),
        Retain = true,
        MessageId = Guid.NewGuid(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading cluster membership or the retained index for the cluster status failed")]
    private partial void LogClusterReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing the cluster-wide $SYS topics failed")]
    private partial void LogSysPublishFailed(Exception exception);
}
