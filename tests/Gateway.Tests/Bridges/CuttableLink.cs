using System.Net;
using System.Net.Sockets;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A TCP link on 127.0.0.1 between a bridge and its remote Mosquitto that a test can break: it relays bytes both ways
/// untouched, can stop passing one direction on (what the far side sends is then lost, as on a failing network), and
/// cuts every connection it carries at once. The bridge connects to <see cref="Port"/>; nothing is simulated beyond
/// the loss of bytes and of the connection.
/// </summary>
public sealed class CuttableLink : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _remotePort;
    private readonly List<(TcpClient Bridge, TcpClient Remote)> _pairs = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _accepting;
    private long _bytesToRemote;
    private long _bytesToBridge;
    private volatile bool _holdToRemote;
    private volatile bool _holdToBridge;

    public CuttableLink(int remotePort)
    {
        _remotePort = remotePort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes passed on from the bridge to the remote so far.</summary>
    public long BytesToRemote => Interlocked.Read(ref _bytesToRemote);

    /// <summary>Bytes passed on from the remote to the bridge so far.</summary>
    public long BytesToBridge => Interlocked.Read(ref _bytesToBridge);

    /// <summary>From now until the next cut, what the remote sends (its acknowledgements) is lost.</summary>
    public void LoseRepliesToBridge() => _holdToBridge = true;

    /// <summary>From now until the next cut, what the bridge sends (its acknowledgements) is lost.</summary>
    public void LoseRepliesToRemote() => _holdToRemote = true;

    /// <summary>Closes every connection the link carries (both ends see it reset); new ones pass normally.</summary>
    public void Cut()
    {
        lock (_pairs)
        {
            foreach (var (bridge, remote) in _pairs)
            {
                bridge.Client.LingerState = new LingerOption(true, 0);
                bridge.Dispose();
                remote.Dispose();
            }

            _pairs.Clear();
            (_holdToBridge, _holdToRemote) = (false, false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        Cut();
        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var bridge = await _listener.AcceptTcpClientAsync(_stopping.Token);
            var remote = new TcpClient();
            try
            {
                await remote.ConnectAsync(IPAddress.Loopback, _remotePort, _stopping.Token);
            }
            catch (SocketException)
            {
                // The remote is down: so is the link.
                bridge.Dispose();
                remote.Dispose();
                continue;
            }

            lock (_pairs)
            {
                _pairs.Add((bridge, remote));
            }

            _ = RelayAsync((bridge, remote), toRemote: true);
            _ = RelayAsync((bridge, remote), toRemote: false);
        }
    }

    private async Task RelayAsync((TcpClient Bridge, TcpClient Remote) pair, bool toRemote)
    {
        var (from, to) = toRemote ? (pair.Bridge.GetStream(), pair.Remote.GetStream()) : (pair.Remote.GetStream(), pair.Bridge.GetStream());
        var buffer = new byte[16 * 1024];
        try
        {
            while (await from.ReadAsync(buffer, _stopping.Token) is var read and > 0)
            {
                if (toRemote ? _holdToRemote : _holdToBridge)
                {
                    continue;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
                if (toRemote)
                {
                    Interlocked.Add(ref _bytesToRemote, read);
                }
                else
                {
                    Interlocked.Add(ref _bytesToBridge, read);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or ObjectDisposedException or OperationCanceledException or SocketException)
        {
            // Cut (or closed by either end).
        }


        // Closed at one end: closed at the other too, as a real link would be.
        lock (_pairs)
        {
            _pairs.Remove(pair);
        }

        pair.Bridge.Dispose();
        pair.Remote.Dispose();
    }
}
