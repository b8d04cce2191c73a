using Microsoft.Extensions.Logging;
using MqttCluster.Core.Security.DynamicSecurity;
using MqttCluster.Gateway.Connections;
using MqttCluster.Grains;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>
/// This gateway's copy of the dynamic-security state: the rules connections are checked against, replaced whole
/// by each newer version the grain pushes (or the gateway fetches when it notices it missed one). Connections
/// whose permissions changed are disconnected, as the plugin does, so they log in and subscribe again under the
/// new rules; a client that was disabled or deleted is disconnected even when the push naming it was missed.
/// </summary>
public sealed partial class DynamicSecurityReplica(ConnectedClients clients, LoginNames logins, ILogger<DynamicSecurityReplica> logger) : IDynamicSecurityObserver
{
    private readonly Lock _lock = new();
    private DynsecEvaluator _rules = DynsecEvaluator.Empty;
    private long _version;

    public DynsecEvaluator Rules => Volatile.Read(ref _rules);

    public long Version => Interlocked.Read(ref _version);

    public Task ApplyAsync(DynamicSecurityUpdate update)
    {
        Apply(update.Snapshot, update.KickedUsernames, update.KickAnonymous);
        return Task.CompletedTask;
    }

    /// <summary>Takes a snapshot that is newer than the one in force; an older or equal one is ignored.</summary>
    public void Apply(DynamicSecuritySnapshot snapshot, IReadOnlyCollection<string> kicked, bool kickAnonymous)
    {
        DynsecEvaluator previous;
        DynsecEvaluator next;
        lock (_lock)
        {
            if (snapshot.Version <= _version || snapshot.Document is null)
            {
                return;
            }

            try
            {
                next = new DynsecEvaluator(DynsecDocument.Parse(snapshot.Document));
            }
            catch (FormatException exception)
            {
                LogUnreadable(snapshot.Version, exception.Message);
                return;
            }

            previous = _rules;
            Volatile.Write(ref _rules, next);
            Interlocked.Exchange(ref _version, snapshot.Version);
        }

        LogApplied(snapshot.Version);
        Disconnect(previous, next, kicked.ToHashSet(StringComparer.Ordinal), kickAnonymous);
    }

    private void Disconnect(DynsecEvaluator previous, DynsecEvaluator next, HashSet<string> kicked, bool kickAnonymous)
    {
        foreach (var connection in clients.Snapshot())
        {
            if (!logins.TryGet(connection.ClientId, out var username))
            {
                continue;
            }

            var leave = username is null
                ? kickAnonymous
                : kicked.Contains(username) || (previous.IsKnown(username) && !next.MayStay(username));
            if (leave)
            {
                LogDisconnecting(connection.ClientId, username ?? "(anonymous)");
                connection.Close(MqttDisconnectReasonCode.AdministrativeAction);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dynamic security version {Version} in force on this gateway")]
    private partial void LogApplied(long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnecting client '{ClientId}' ({Username}): its dynamic-security permissions changed")]
    private partial void LogDisconnecting(string clientId, string username);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dynamic security version {Version} could not be read; the previous rules stay: {Problem}")]
    private partial void LogUnreadable(long version, string problem);
}
