using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Grains;
using static MqttCluster.Gateway.Admin.AdminResponses;

namespace MqttCluster.Gateway.Admin;

/// <summary>
/// <c>/api/v1/sessions</c> and <c>/api/v1/subscriptions</c> of the REST API (authenticated by <see cref="AdminApi"/>).
/// A session is a connected client (any gateway) or a stored persistent session, or both; its details join what its
/// gateway knows (connection, queue) with what storage holds (subscriptions, offline queue, expiry). Deleting one
/// does what a CONNECT with clean start and session expiry 0 followed by DISCONNECT does, through the session grain:
/// its connection is taken over (0x8E) and the session with its subscriptions and queue is discarded.
/// </summary>
public sealed partial class SessionAdminApi(
    IGrainFactory grainFactory,
    IBrokerCluster cluster,
    GatewayIdentity identity,
    ILogger<SessionAdminApi> logger)
{
    public const string SessionsResource = "sessions";
    public const string SubscriptionsResource = "subscriptions";

    /// <summary>The connected clients considered when merging them with stored sessions into one listing.</summary>
    private const int MaxConnectionsListed = 100_000;

    private IGatewayDirectoryGrain Directory => grainFactory.GetGrain<IGatewayDirectoryGrain>(IGatewayDirectoryGrain.Key);

    private IPersistentSessionsGrain Stored => grainFactory.GetGrain<IPersistentSessionsGrain>(0);

    /// <summary>Serves <paramref name="resource"/>, the path after <c>/api/v1/</c>, when it is one of these.</summary>
    public Task? TryServe(HttpContext context, string user, string resource, string method)
    {
        var segments = resource.Split('/');
        return (segments, method) switch
        {
            ([SessionsResource], "GET") => ListSessionsAsync(context),
            ([SessionsResource, var clientId], "GET") => GetSessionAsync(context, Uri.UnescapeDataString(clientId)),
            ([SessionsResource, var clientId], "DELETE") => DeleteSessionAsync(context, user, Uri.UnescapeDataString(clientId)),
            ([SubscriptionsResource], "GET") => ListSubscriptionsAsync(context),
            _ => null,
        };
    }

    /// <summary>Connected clients and stored persistent sessions whose client ids start with <c>prefix</c>, merged,
    /// ordered by client id, one page.</summary>
    private async Task ListSessionsAsync(HttpContext context)
    {
        var prefix = context.Request.Query["prefix"].ToString();
        var connected = Directory.ListClientsAsync(new ConnectionQuery { ClientIdPrefix = prefix, Count = MaxConnectionsListed });
        var persistent = Stored.ListAsync(prefix);
        var nodes = (await connected).Connections.ToLookup(c => c.ClientId, c => c.Node, StringComparer.Ordinal);
        var stored = (await persistent).ToHashSet(StringComparer.Ordinal);
        var all = nodes.Select(n => n.Key).Union(stored, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var offset = Offset(context);
        var page = all.Skip(offset).Take(Count(context)).Select(clientId => new
        {
            clientId,
            connected = nodes.Contains(clientId),
            persistent = stored.Contains(clientId),
            nodes = nodes[clientId].ToArray(),
        });
        await context.Response.WriteAsJsonAsync(new { totalCount = all.Count, offset, sessions = page }, Json);
    }

    private async Task GetSessionAsync(HttpContext context, string clientId)
    {
        var connections = Directory.ListClientsAsync(new ConnectionQuery { ClientIdPrefix = clientId, Count = MaxPageSize });
        var storedSession = Stored.GetAsync(clientId);
        var live = (await connections).Connections.Where(c => c.ClientId == clientId).ToArray();
        var stored = await storedSession;
        if (live.Length == 0 && stored is null)
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "No such session", $"No client '{clientId}' is connected and no persistent session of it is stored.");
            return;
        }

        await context.Response.WriteAsJsonAsync(new
        {
            clientId,
            connected = live.Length > 0,
            persistent = stored is not null,
            connections = live.Select(c => new AdminClient(c.ClientId, c.Username, c.Endpoint, c.ProtocolVersion, c.Node, c.QueuedMessages, c.InflightMessages)),
            // While connected, a connection's queue is on its gateway; stored counts are what waits for a resume.
            queuedMessages = live.Sum(c => c.QueuedMessages) + (stored?.QueuedMessages ?? 0),
            inflightMessages = live.Sum(c => c.InflightMessages) + (stored?.InflightMessages ?? 0),
            // A persistent session's are stored; a clean session's live only in its connection.
            subscriptions = (stored?.Subscriptions ?? live.SelectMany(c => c.Subscriptions)).Select(s => new
            {
                topicFilter = s.Filter,
                qos = s.MaximumQoS,
                s.NoLocal,
                s.RetainAsPublished,
                subscriptionIdentifier = s.SubscriptionIdentifier == 0 ? (uint?)null : s.SubscriptionIdentifier,
            }),
            sessionExpiryInterval = stored?.SessionExpiryInterval,
            disconnectedAt = stored?.DisconnectedAt,
            expiresAt = stored?.ExpiresAt,
            hasWill = stored?.HasWill,
        }, Json);
    }

    private async Task DeleteSessionAsync(HttpContext context, string user, string clientId)
    {
        var connections = Directory.ListClientsAsync(new ConnectionQuery { ClientIdPrefix = clientId, Count = MaxPageSize });
        var stored = await Stored.GetAsync(clientId);
        if (stored is null && !(await connections).Connections.Any(c => c.ClientId == clientId))
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "No such session", $"No client '{clientId}' is connected and no persistent session of it is stored.");
            return;
        }

        // As a client would end it [MQTT-3.1.2-4]: clean start discards the session and takes the client id over
        // from any connection; session expiry 0 ends what is left with this "connection" at once.
        var session = cluster.Session(clientId);
        var connected = await session.ConnectAsync(new SessionConnectRequest
        {
            GatewayId = identity.GatewayId,
            Gateway = identity.Reference ?? throw new InvalidOperationException("The gateway is not registered with the cluster yet."),
            CleanStart = true,
        });
        await session.DisconnectAsync(connected.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal, SessionExpiryInterval = 0 });
        LogDeleted(user, clientId);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The cluster's routes: each filter (or shared group) with the gateways that have subscribers to it
    /// and the offline persistent sessions subscribed to it. Optional <c>prefix</c> of the filter.</summary>
    private async Task ListSubscriptionsAsync(HttpContext context)
    {
        var prefix = context.Request.Query["prefix"].ToString();
        var routes = grainFactory.GetGrain<IRouteIndexGrain>(0).GetSnapshotAsync();
        var status = grainFactory.GetGrain<IClusterStatsGrain>(IClusterStatsGrain.Key).GetStatusAsync();
        var nodeOf = (await status).Gateways.ToDictionary(g => g.Report.GatewayId, g => g.Report.Node, StringComparer.Ordinal);
        var filters = (await routes).Targets
            .SelectMany(t => t.Filters.Select(f => (Filter: f, t.Target)))
            .Where(r => r.Filter.StartsWith(prefix, StringComparison.Ordinal))
            .GroupBy(r => r.Filter, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var offset = Offset(context);
        var page = filters.Skip(offset).Take(Count(context)).Select(g => new
        {
            topicFilter = g.Key,
            nodes = g.Select(r => RouteTarget.IsGateway(r.Target, out var id) ? nodeOf.GetValueOrDefault(id, id) : null).OfType<string>().Order(StringComparer.Ordinal),
            offlineSessions = g.Select(r => RouteTarget.IsSession(r.Target, out var clientId) ? clientId : null).OfType<string>().Order(StringComparer.Ordinal),
        });
        await context.Response.WriteAsJsonAsync(new { totalCount = filters.Count, offset, subscriptions = page }, Json);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "REST API: '{User}' deleted the session of '{ClientId}'")]
    private partial void LogDeleted(string user, string clientId);
}
