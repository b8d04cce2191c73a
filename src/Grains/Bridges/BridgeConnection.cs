using Microsoft.Extensions.Logging;
using MqttCluster.Core.Bridges;
using MqttCluster.Core.Telemetry;
using MQTTnet;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The life of a bridge's remote connection, run on its grain's scheduler: connect (trying the addresses as
/// <c>round_robin</c> says), send the outbox in order — a QoS 1/2 message leaves it only when the remote
/// acknowledged it — and after a lost connection wait (back-off) and connect again, unless the start type is
/// <c>once</c>.
/// </summary>
internal sealed partial class BridgeConnection(
    BridgeOptions options,
    BridgeRoutes routes,
    BridgeOutbox outbox,
    BridgeConnectionHooks hooks,
    TimeProvider timeProvider,
    BrokerMetrics metrics,
    ILogger logger)
{
    private readonly BridgeBackoff _backoff = new(options.RestartTimeout, options.RestartTimeoutCap, new Random());
    private int _nextAddress;
    private bool _lastAttemptConnected;

    public bool Connected { get; private set; }

    public string? Address { get; private set; }

    public long Sent { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Address = NextAddress();
            _lastAttemptConnected = false;
            var remote = new BridgeRemote(options, hooks.ReceivedAsync);
            try
            {
                await remote.ConnectAsync(Address, routes, stopping);
                _backoff.Reset();
                (Connected, _lastAttemptConnected) = (true, true);
                LogConnected(options.Name, Address, outbox.ReliableCount);
                await hooks.StateChangedAsync(true);
                await SendUntilLostAsync(remote, stopping);
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                if (Connected)
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
                await EndAsync(remote, stopping.IsCancellationRequested);
            }

            if (stopping.IsCancellationRequested || options.StartType == BridgeStartType.Once)
            {
                return;
            }

            var pause = _backoff.Next();
            LogReconnecting(options.Name, pause.TotalSeconds);
            await Task.Delay(pause, timeProvider, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }
    }

    private async Task SendUntilLostAsync(BridgeRemote remote, CancellationToken stopping)
    {
        while (!remote.Lost.IsCompleted)
        {
            if (outbox.Head is not { } next)
            {
                await Task.WhenAny(outbox.Added, remote.Lost, Task.Delay(Timeout.Infinite, stopping));
                stopping.ThrowIfCancellationRequested();
                continue;
            }

            var message = BridgeMessageConversion.ToRemote(next, remote.IsMqtt5, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            if (!await remote.PublishAsync(message, stopping))
            {
                // The remote answered with an error reason (MQTT 5): sending it again would get the same answer and
                // hold back everything behind it.
                metrics.MessagesDropped(DropReasons.BridgeRefused);
                LogRefused(options.Name, next.RemoteTopic);
            }
            else
            {
                Sent++;
            }

            // Only this loop removes from the outbox, so the head is still the message just sent.
            outbox.RemoveHead();
            if (next.Qos > 0)
            {
                hooks.Acknowledged();
            }
        }
    }

    private async Task EndAsync(BridgeRemote remote, bool stopping)
    {
        if (stopping)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2), timeProvider);
                await remote.DisconnectAsync(timeout.Token);
            }
            catch (Exception exception)
            {
                LogDisconnectFailed(options.Name, exception.Message);
            }
        }

        await remote.DisposeAsync();
        if (!Connected)
        {
            return;
        }

        Connected = false;
        var dropped = outbox.DropUnreliable();
        if (dropped > 0)
        {
            metrics.MessagesDropped(DropReasons.BridgeOffline, dropped);
        }

        LogDisconnected(options.Name, Address ?? "", outbox.ReliableCount);

        // Not while stopping: the silo may be going down, and the next activation says "0" first anyway.
        if (!stopping)
        {
            await hooks.StateChangedAsync(false);
        }
    }

    /// <summary>
    /// With <c>round_robin</c> the next address after the one that failed; without it, the primary (first) address
    /// after a connection that worked, else the next one. Mosquitto also goes back to the primary address while
    /// connected to a secondary one; this bridge does only after that connection ends.
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} connected to {Address}; {Queued} queued QoS 1/2 message(s) to send")]
    private partial void LogConnected(string bridge, string address, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge} lost its connection to {Address}; {Queued} QoS 1/2 message(s) kept for it")]
    private partial void LogDisconnected(string bridge, string address, int queued);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge} could not connect to {Address}: {Reason}")]
    private partial void LogConnectionFailed(string bridge, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: the connection to {Address} failed: {Reason}")]
    private partial void LogConnectionBroken(string bridge, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} connects again in {Seconds:0.0} s")]
    private partial void LogReconnecting(string bridge, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: the remote refused a message on '{Topic}'; dropped")]
    private partial void LogRefused(string bridge, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge}: closing the remote connection cleanly failed: {Reason}")]
    private partial void LogDisconnectFailed(string bridge, string reason);
}
