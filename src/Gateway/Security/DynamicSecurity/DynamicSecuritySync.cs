using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Gateway.Connections;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>
/// Keeps this gateway's <see cref="DynamicSecurityReplica"/> current: imports the configured
/// <c>dynamic-security.json</c> when the cluster has no state yet, loads the state before clients are served,
/// registers for pushes and, every <see cref="RefreshInterval"/>, re-registers and fetches the state again if the
/// grain's version moved past this replica's (a missed push, a grain that moved to another silo).
/// </summary>
public sealed partial class DynamicSecuritySync(
    IGrainFactory grainFactory,
    DynamicSecurityReplica replica,
    ConnectedClients clients,
    LoginNames logins,
    IOptions<SecurityOptions> options,
    TimeProvider timeProvider,
    ILogger<DynamicSecuritySync> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stopping = new();
    private IDynamicSecurityObserver? _reference;
    private Task _refreshLoop = Task.CompletedTask;

    private IDynamicSecurityGrain Grain => grainFactory.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.DynamicSecurityFile is { } file)
        {
            var imported = await Grain.ImportIfEmptyAsync(await File.ReadAllTextAsync(file, cancellationToken), Path.GetFullPath(file));
            if (!imported)
            {
                LogAlreadyConfigured(Path.GetFullPath(file));
            }
        }

        _reference = grainFactory.CreateObjectReference<IDynamicSecurityObserver>(replica);
        await RefreshAsync();
        LogStarted(replica.Version, replica.Rules.HasAnonymousGroup);
        _refreshLoop = RefreshLoopAsync();
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _refreshLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_reference is null)
        {
            return;
        }

        try
        {
            await Grain.UnsubscribeAsync(_reference).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRefreshFailed(exception.Message);
        }

        grainFactory.DeleteObjectReference<IDynamicSecurityObserver>(_reference);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Makes sure this gateway applies at least <paramref name="version"/> (after a command it sent).</summary>
    public async Task CatchUpAsync(long version)
    {
        if (replica.Version < version)
        {
            replica.Apply(await Grain.GetSnapshotAsync(), [], false);
        }
    }

    private async Task RefreshAsync()
    {
        var version = await Grain.SubscribeAsync(_reference!);
        await CatchUpAsync(version);
        logins.Prune(clients.Snapshot().Select(c => c.ClientId).ToHashSet(StringComparer.Ordinal));
    }

    private Task RefreshLoopAsync() =>
        Hosting.PeriodicRefresh.RunAsync(RefreshInterval, timeProvider, RefreshAsync, exception => LogRefreshFailed(exception.Message), _stopping.Token);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dynamic security on: version {Version} of the cluster's users, groups and roles (anonymous group set: {AnonymousGroup})")]
    private partial void LogStarted(long version, bool anonymousGroup);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster already has dynamic-security state; {File} was not imported again (changes live in the cluster)")]
    private partial void LogAlreadyConfigured(string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the dynamic-security state failed ({Problem}); retrying")]
    private partial void LogRefreshFailed(string problem);
}
