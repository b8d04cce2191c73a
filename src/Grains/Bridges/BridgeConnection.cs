using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MqttCluster.Core.Bridges;
using MqttCluster.Core.Telemetry;
using MQTTnet.Packets;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The life of a bridge's remote connection, run on its grain's scheduler: connect (trying the addresses as
/// <c>round_robin</c> says), resume the client session (<see cref="BridgeOutgoingSession"/>), send the outbox in
/// order, QoS 1 and 2 messages in flight up to the remote's Receive Maximum — a QoS 1/2 message leaves it only when
/// the remote acknowledged it to the end — and after a lost connection wait (back-off) and connect again, unless the
/// start type is <c>once</c>. A <c>lazy</c> bridge connects once <c>threshold</c> QoS 1/2 messages wait, and disconnects after
/// <c>idle_timeout</c> without traffic.
/// </summary>
internal sealed partial class BridgeConnection(
    BridgeOptions options,
    BridgeRoutes routes,
    BridgeOutbox outbox,
    BridgeIncomingSession incoming,
    BridgeConnectionHooks hooks,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger logger)
{
    /// <summary>How often a bridge connected to a secondary address checks whether the first one is back (as Mosquitto).</summary>
    private static readonly TimeSpan PrimaryRetryInterval = TimeSpan.FromSeconds(5);

    private readonly BridgeBackoff _backoff = new(options.RestartTimeout, options.RestartTimeoutCap, new Random());
    private readonly BridgeOutboxSender _sender = new(options, outbox, hooks, timeProvider, metrics, logger);
    private int _nextAddress;
    private bool _lastAttemptConnected;

    public bool Connected { get; private set; }

    public string? Address { get; private set; }

    public long Sent => _sender.Sent;

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            if (options.StartType == BridgeStartType.Lazy && !await ThresholdReachedAsync(stopping))
            {
                return;
            }

            Address = NextAddress();
            _lastAttemptConnected = false;
            var idle = false;
            var remote = new BridgeRemote(options, incoming, ReceivedAsync, hooks.StoreAsync, timeProvider);
            using var watching = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            try
            {
                await remote.ConnectAsync(Address, stopping);
                _backoff.Reset();
                _lastAttemptConnected = true;
                LogConnected(options.Name, Address, remote.SessionPresent, outbox.ReliableCount);
                _sender.Resume(remote);
                await remote.SubscribeAsync(routes, _sender.Ids, stopping);
                if (_sender.Notification(up: true) is { } up)
                {
                    remote.Send(up);
                }

                // Connected once the retained messages are queued and the state "1" is published here, so whoever
                // sees Connected also sees that state.
                await hooks.StateChangedAsync(true);
                Connected = true;
                var primaryBack = !options.RoundRobin && Address != options.Addresses[0]
                    ? WatchPrimaryAsync(watching.Token)
                    : Task.Delay(Timeout.Infinite, watching.Token);
                idle = await SendUntilLostOrIdleAsync(remote, primaryBack, stopping);
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                if (_lastAttemptConnected)
                {
                    LogConnectionBroken(options.Name, Address, exception.Message);
                }
                else
                {
                    LogConnectionFailed(options.Name, Address, exception.Message);
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await watching.CancelAsync();
                await EndAsync(remote, stopping.IsCancellationRequested, idle);
            }

            if (stopping.IsCancellationRequested || options.StartType == BridgeStartType.Once)
            {
                return;
            }

            if (idle)
            {
                // Idle (lazy) or the first address is back: connect again at once, to the first address.
                continue;
            }

            var pause = _backoff.Next();
            LogReconnecting(options.Name, pause.TotalSeconds);
            await Task.Delay(pause, timeProvider, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    /// <summary>Waits until a lazy bridge has <c>threshold</c> QoS 1/2 messages to send; false when stopping.</summary>
    private async Task<bool> ThresholdReachedAsync(CancellationToken stopping)
    {
        while (outbox.ReliableCount < options.Threshold)
        {
            await WaitForAnyAsync(Timeout.InfiniteTimeSpan, stopping, outbox.Added);
            if (stopping.IsCancellationRequested)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Waits for one of <paramref name="events"/>, <paramref name="timeout"/> or <paramref name="stopping"/>. The
    /// timer is released afterwards: a delay left registered on the long-lived stopping token at every wait would
    /// pile up for as long as the bridge runs.
    /// </summary>
    private async Task WaitForAnyAsync(TimeSpan timeout, CancellationToken stopping, params Task[] events)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        await Task.WhenAny([.. events, Task.Delay(timeout, timeProvider, wake.Token)]);
        await wake.CancelAsync();
    }

    /// <summary>Completes when the first address accepts a TCP connection (checked every few seconds).</summary>
    private async Task WatchPrimaryAsync(CancellationToken cancellationToken)
    {
        var (host, port) = BridgeRemoteOptions.HostAndPort(options.Addresses[0]);
        while (true)
        {
            await Task.Delay(PrimaryRetryInterval, timeProvider, cancellationToken);
            using var probe = new TcpClient();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                await probe.ConnectAsync(host, port, timeout.Token);
                return;
            }
            catch (Exception exception) when (exception is SocketException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
            }
        }
    }

    private Task ReceivedAsync(MqttPublishPacket message)
    {
        _sender.Touch();
        return hooks.ReceivedAsync(message);
    }

    /// <summary>
    /// Sends until the connection is lost (false), or should end cleanly (true): a lazy bridge has been idle long
    /// enough, or the first address answers again while connected to another one (<c>round_robin false</c>). Each
    /// round takes the remote's acknowledgements that came, then starts what the window has room for, in the
    /// outbox's order; a round that starts or releases a QoS 2 message stores the session before its packets go out,
    /// so the identifiers the remote knows survive a restart of this broker.
    /// </summary>
    private async Task<bool> SendUntilLostOrIdleAsync(BridgeRemote remote, Task primaryBack, CancellationToken stopping)
    {
        _sender.Touch();
        var lazy = options.StartType == BridgeStartType.Lazy;
        while (!remote.Lost.IsCompleted)
        {
            if (stopping.IsCancellationRequested)
            {
                await _sender.FinishSentAsync(remote);
                stopping.ThrowIfCancellationRequested();
            }

            if (primaryBack.IsCompletedSuccessfully)
            {
                LogPrimaryBack(options.Name, options.Addresses[0]);
                return true;
            }

            if (await _sender.SendRoundAsync(remote, startNew: true))
            {
                continue;
            }

            var quiet = timeProvider.GetElapsedTime(_sender.LastActivity);
            if (_sender.InFlight == 0 && lazy && quiet >= options.IdleTimeout)
            {
                LogIdle(options.Name, options.IdleTimeout.TotalSeconds);
                return true;
            }

            var timeout = _sender.InFlight == 0 && lazy ? options.IdleTimeout - quiet : Timeout.InfiniteTimeSpan;
            await WaitForAnyAsync(timeout, stopping, outbox.Added, remote.Acknowledgements.WaitToReadAsync(CancellationToken.None).AsTask(), remote.Lost, primaryBack);
        }

        return false;
    }

    /// <summary>Closes the connection: cleanly when stopping or idle; "down" is announced here unless stopping.</summary>
    private async Task EndAsync(BridgeRemote remote, bool stopping, bool idle)
    {
        if (stopping || idle)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), timeProvider);
                await remote.DisconnectAsync(_sender.Notification(up: false), timeout.Token);
            }
            catch (Exception exception)
            {
                LogDisconnectFailed(options.Name, exception.Message);
            }
        }

        await remote.DisposeAsync();
        if (!_lastAttemptConnected)
        {
            return;
        }

        Connected = false;
        var dropped = outbox.DropUnreliable();
        if (dropped > 0)
        {
            metrics.MessagesDropped(DropReasons.BridgeOffline, dropped);
        }

        if (stopping || idle)
        {
            LogClosed(options.Name, Address ?? "", outbox.ReliableCount);
        }
        else
        {
            LogDisconnected(options.Name, Address ?? "", remote.LostReason, outbox.ReliableCount);
        }

        // Not while stopping: the silo may be going down, and the next activation says "0" first anyway.
        if (!stopping)
        {
            await hooks.StateChangedAsync(false);
        }
    }

    /// <summary>
    /// With <c>round_robin</c> the next address after the one that failed; without it, the primary (first) address
    /// after a connection that worked, else the next one (and <see cref="WatchPrimaryAsync"/> brings the bridge back
    /// to the primary address while it is connected to another).
    /// </summary>
    private string NextAddress()
    {
        var addresses = options.Addresses;
        if (!options.RoundRobin && _lastAttemptConnected)
        {
            _nextAddress = 0;
        }

        var address = addresses[_nextAddress % addresses.Length];
        _nextAddress = (_nextAddress + 1) % addresses.Length;
        return address;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} connected to {Address} (session present: {SessionPresent}); {Queued} queued QoS 1/2 message(s) to send")]
    private partial void LogConnected(string bridge, string address, bool sessionPresent, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge} lost its connection to {Address} ({Reason}); {Queued} QoS 1/2 message(s) kept for it")]
    private partial void LogDisconnected(string bridge, string address, string reason, int queued);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} closed its connection to {Address}; {Queued} QoS 1/2 message(s) kept for it")]
    private partial void LogClosed(string bridge, string address, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge} could not connect to {Address}: {Reason}")]
    private partial void LogConnectionFailed(string bridge, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: the connection to {Address} failed: {Reason}")]
    private partial void LogConnectionBroken(string bridge, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} connects again in {Seconds:0.0} s")]
    private partial void LogReconnecting(string bridge, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge}: its first address {Address} answers again; moving back to it")]
    private partial void LogPrimaryBack(string bridge, string address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} (lazy) was idle for {Seconds} s and disconnected; it connects again when enough messages wait")]
    private partial void LogIdle(string bridge, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge}: closing the remote connection cleanly failed: {Reason}")]
    private partial void LogDisconnectFailed(string bridge, string reason);
}
