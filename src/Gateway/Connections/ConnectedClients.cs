namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The connections of this gateway by client id and session epoch, so a session grain can take a session over
/// from the connection that holds it [MQTT-3.1.4-3]. A takeover that arrives before its connection learned its
/// epoch is remembered, and that connection closes as soon as it does.
/// </summary>
public sealed class ConnectedClients
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string ClientId, long Epoch), MqttConnection> _connections = [];
    private readonly HashSet<(string ClientId, long Epoch)> _revoked = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>The connections right now, for gauges and the status page.</summary>
    public MqttConnection[] Snapshot()
    {
        lock (_lock)
        {
            return [.. _connections.Values];
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> connections by client id (ordinal), for the status page's sample. One pass
    /// that keeps the smallest ids seen so far: sorting a copy of every connection, every two seconds, was most of an
    /// idle node's reporting cost with thousands of clients.
    /// </summary>
    public MqttConnection[] FirstByClientId(int count)
    {
        var kept = new PriorityQueue<MqttConnection, string>(count + 1, DescendingOrdinal);
        lock (_lock)
        {
            foreach (var connection in _connections.Values)
            {
                var clientId = connection.ClientId;
                if (clientId.Length == 0)
                {
                    continue;
                }

                if (kept.Count < count)
                {
                    kept.Enqueue(connection, clientId);
                }
                else if (kept.TryPeek(out _, out var largest) && string.CompareOrdinal(clientId, largest) < 0)
                {
                    kept.EnqueueDequeue(connection, clientId);
                }
            }
        }

        // The queue gives the largest id first.
        var first = new MqttConnection[kept.Count];
        for (var i = first.Length - 1; i >= 0; i--)
        {
            first[i] = kept.Dequeue();
        }

        return first;
    }

    private static readonly Comparer<string> DescendingOrdinal = Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a));

    /// <summary>Records that <paramref name="connection"/> owns epoch <paramref name="epoch"/>; false when that
    /// epoch was already taken over (the connection must close).</summary>
    public bool Register(string clientId, long epoch, MqttConnection connection)
    {
        lock (_lock)
        {
            if (_revoked.Remove((clientId, epoch)))
            {
                return false;
            }

            _connections[(clientId, epoch)] = connection;
            return true;
        }
    }

    public void Remove(string clientId, long epoch)
    {
        lock (_lock)
        {
            _connections.Remove((clientId, epoch));
            _revoked.Remove((clientId, epoch));
        }
    }

    /// <summary>Closes every connection with <paramref name="reason"/> and waits until they have said goodbye.</summary>
    public async Task CloseAllAsync(MQTTnet.Protocol.MqttDisconnectReasonCode reason, TimeSpan timeout)
    {
        MqttConnection[] all;
        lock (_lock)
        {
            all = [.. _connections.Values];
        }

        foreach (var connection in all)
        {
            connection.Close(reason);
        }

        await Task.WhenAll(all.Select(c => c.Completion)).WaitAsync(timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Each connected client's session epoch.</summary>
    public Dictionary<string, long> SessionEpochs()
    {
        lock (_lock)
        {
            var epochs = new Dictionary<string, long>(_connections.Count, StringComparer.Ordinal);
            foreach (var (clientId, epoch) in _connections.Keys)
            {
                epochs[clientId] = Math.Max(epoch, epochs.GetValueOrDefault(clientId));
            }

            return epochs;
        }
    }

    /// <summary>The connection holding <paramref name="epoch"/> of <paramref name="clientId"/>, if it is here.</summary>
    public MqttConnection? Find(string clientId, long epoch)
    {
        lock (_lock)
        {
            return _connections.GetValueOrDefault((clientId, epoch));
        }
    }

    /// <summary>Closes the connection holding the epoch and returns its unfinished state.</summary>
    public async Task<Grains.SessionHandoff?> TakeOverAsync(string clientId, long epoch)
    {
        MqttConnection? connection;
        lock (_lock)
        {
            if (!_connections.Remove((clientId, epoch), out connection))
            {
                // Bounded: an entry only outlives its connection if that died between CONNECT and registering.
                if (_revoked.Count > 10_000)
                {
                    _revoked.Clear();
                }

                _revoked.Add((clientId, epoch));
                return null;
            }
        }

        return await connection.TakeOverAsync();
    }
}
