using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Security.DynamicSecurity;
using MqttCluster.Gateway.Status;
using MqttCluster.Grains;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// This gateway as the admin plane sees it: answers <see cref="IGatewayDirectoryGrain"/>'s questions about its
/// connections, and registers with it on start and every <see cref="RefreshInterval"/> (so a directory that moved
/// to another silo knows every gateway again within one refresh).
/// </summary>
public sealed partial class GatewayAdminEndpoint(
    IGrainFactory grainFactory,
    ConnectedClients clients,
    LoginNames logins,
    LocalNode node,
    TimeProvider timeProvider,
    ILogger<GatewayAdminEndpoint> logger) : IGatewayAdminObserver, IHostedService, IDisposable
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(2);

    /// <summary>Longer than a connection takes to say goodbye and hand its session back, shorter than the
    /// directory waits for this gateway.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(8);

    /// <summary>Connections an administrator already closed: a second request while one is still closing finds
    /// nothing left to close.</summary>
    private readonly ConditionalWeakTable<MqttConnection, object> _closed = [];
    private readonly CancellationTokenSource _stopping = new();
    private IGatewayAdminObserver? _reference;
    private Task _refreshLoop = Task.CompletedTask;

    private IGatewayDirectoryGrain Directory => grainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    public Task<ConnectionSummary[]> ListConnectionsAsync(ConnectionQuery query) =>
        Task.FromResult(clients.Snapshot()
            .Select(Describe)
            .Where(query.Matches)
            .ToArray());

    public async Task<int> DisconnectAsync(string clientId)
    {
        var closing = clients.Snapshot()
            .Where(c => c.ClientId == clientId && _closed.TryAdd(c, clientId))
            .ToList();
        foreach (var connection in closing)
        {
            connection.Close(MqttDisconnectReasonCode.AdministrativeAction);
        }

        // Answer once they are gone from this gateway, so whoever asked sees them gone when it hears back.
        await Task.WhenAll(closing.Select(c => c.Completion)).WaitAsync(CloseTimeout, timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return closing.Count;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _reference = grainFactory.CreateObjectReference<IGatewayAdminObserver>(this);
        await RegisterAsync();
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
            await Directory.UnregisterAsync(_reference).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRegistrationFailed(exception.Message);
        }

        grainFactory.DeleteObjectReference<IGatewayAdminObserver>(_reference);
    }

    public void Dispose() => _stopping.Dispose();

    private ConnectionSummary Describe(MqttConnection connection) => new()
    {
        ClientId = connection.ClientId,
        Username = logins.TryGet(connection.ClientId, out var username) ? username : null,
        Endpoint = connection.Endpoint,
        ProtocolVersion = connection.ProtocolVersion.ToString(),
        Node = node.Name,
        QueuedMessages = connection.QueuedCount,
        InflightMessages = connection.InflightCount,
        Subscriptions = connection.Subscriptions,
    };

    private async Task RegisterAsync()
    {
        try
        {
            await Directory.RegisterAsync(_reference!);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogRegistrationFailed(exception.Message);
        }
    }

    private Task RefreshLoopAsync() =>
        Hosting.PeriodicRefresh.RunAsync(RefreshInterval, timeProvider, RegisterAsync, exception => LogRegistrationFailed(exception.Message), _stopping.Token);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering with the cluster's gateway directory failed ({Problem}); retrying")]
    private partial void LogRegistrationFailed(string problem);
}
