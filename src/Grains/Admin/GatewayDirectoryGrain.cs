using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace MqttCluster.Grains.Admin;

/// <summary>
/// Keeps the registered gateways (in memory: they re-register every few seconds, so a new activation knows them all
/// again within one refresh) and asks them all at once. A gateway that does not answer within
/// <see cref="AskTimeout"/> (it died and the cluster has not noticed yet) does not hold up the answer; one whose
/// call fails is dropped until it registers again.
/// </summary>
/// <remarks>Reentrant: a listing waits on every gateway, and other listings, registrations and disconnects must not
/// queue behind it. Every turn changes the dictionary without awaiting in between.</remarks>
[Reentrant]
public sealed partial class GatewayDirectoryGrain(TimeProvider timeProvider, ILogger<GatewayDirectoryGrain> logger) : Grain, IGatewayDirectoryGrain
{
    /// <summary>Gateways refresh every few seconds; one silent for this long is gone.</summary>
    public static readonly TimeSpan GatewayExpiry = TimeSpan.FromSeconds(30);

    /// <summary>Longer than a gateway takes to close a connection and hand its session back.</summary>
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<IGatewayAdminObserver, long> _gateways = [];

    public Task RegisterAsync(IGatewayAdminObserver gateway)
    {
        var now = timeProvider.GetTimestamp();
        _gateways[gateway] = now;
        foreach (var (known, seen) in _gateways.ToList())
        {
            if (timeProvider.GetElapsedTime(seen, now) > GatewayExpiry)
            {
                _gateways.Remove(known);
            }
        }

        return Task.CompletedTask;
    }

    public Task UnregisterAsync(IGatewayAdminObserver gateway)
    {
        _gateways.Remove(gateway);
        return Task.CompletedTask;
    }

    public async Task<ConnectionPage> ListClientsAsync(ConnectionQuery query)
    {
        var answers = await AskAllAsync(g => g.ListConnectionsAsync(query));
        var matching = answers.Results.SelectMany(r => r)
            .OrderBy(c => c.ClientId, StringComparer.Ordinal)
            .ThenBy(c => c.Node, StringComparer.Ordinal)
            .ToList();
        var page = matching.Skip(Math.Max(0, query.Offset)).Take(Math.Max(0, query.Count)).ToArray();
        return new ConnectionPage(matching.Count, page, answers.Asked, answers.Results.Count);
    }

    public async Task<int> DisconnectClientAsync(string clientId, string actor)
    {
        var answers = await AskAllAsync(g => g.DisconnectAsync(clientId));
        var closed = answers.Results.Sum();
        LogDisconnected(actor, clientId, closed);
        return closed;
    }

    private async Task<(int Asked, List<T> Results)> AskAllAsync<T>(Func<IGatewayAdminObserver, Task<T>> ask)
    {
        var gateways = _gateways.Keys.ToList();
        var asks = gateways.Select(ask).ToList();
        try
        {
            await Task.WhenAll(asks).WaitAsync(AskTimeout, timeProvider);
        }
        catch (TimeoutException)
        {
            LogNoAnswer(asks.Count(a => !a.IsCompleted), AskTimeout.TotalSeconds);
        }
        catch
        {
            for (var i = 0; i < asks.Count; i++)
            {
                if (asks[i].IsFaulted)
                {
                    _gateways.Remove(gateways[i]);
                    LogGatewayFailed(asks[i].Exception!.GetBaseException().Message);
                }
            }
        }

        return (gateways.Count, [.. asks.Where(a => a.IsCompletedSuccessfully).Select(a => a.Result)]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' disconnected by '{Actor}' ({Connections} connections closed)")]
    private partial void LogDisconnected(string actor, string clientId, int connections);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} gateways did not answer an administrator within {Seconds} s; their connections are left out")]
    private partial void LogNoAnswer(int count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A gateway failed an administrator's question ({Problem}); it is asked again once it registers again")]
    private partial void LogGatewayFailed(string problem);
}
