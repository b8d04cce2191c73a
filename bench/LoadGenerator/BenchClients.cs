using MQTTnet;
using MQTTnet.Exceptions;

namespace MqttCluster.LoadGenerator;

/// <summary>Connects MQTTnet clients as the options say, a limited number at a time.</summary>
public sealed class BenchClients(LoadOptions options, string runId) : IAsyncDisposable
{
    // MQTTnet sets the socket buffers to MqttClientTcpOptions.BufferSize (8 KB by default), which stalls a fast
    // loopback stream; 1 MB lets the kernel keep the pipe full. --small-buffers keeps 8 KB for subscribers.
    private const int LargeSocketBuffer = 1 << 20;
    private const int SmallSocketBuffer = 8 << 10;

    private readonly MqttClientFactory _factory = new();
    private readonly List<IMqttClient> _clients = [];

    /// <summary>
    /// Connects <paramref name="count"/> clients named "{role}-{run}-{i}" to <paramref name="port"/> (default --port);
    /// the setup runs before CONNECT.
    /// </summary>
    public async Task<IMqttClient[]> ConnectAsync(string role, int count, bool smallBuffers, Action<IMqttClient, int>? setup, CancellationToken cancellation, int? port = null)
    {
        var clients = new IMqttClient[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency, CancellationToken = cancellation }, async (i, ct) =>
        {
            var client = _factory.CreateMqttClient();
            setup?.Invoke(client, i);
            lock (_clients)
            {
                _clients.Add(client);
            }

            await client.ConnectAsync(Options($"{role}-{runId}-{i}", port ?? options.Port, smallBuffers), ct);
            clients[i] = client;
        });
        return clients;
    }

    public async ValueTask DisposeAsync()
    {
        await Parallel.ForEachAsync(_clients, new ParallelOptions { MaxDegreeOfParallelism = options.ConnectConcurrency }, async (client, _) =>
        {
            try
            {
                if (client.IsConnected)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token);
                }
            }
            catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
            {
                // The broker went away first; nothing to tidy up.
            }

            client.Dispose();
        });
    }

    private MqttClientOptions Options(string clientId, int port, bool smallBuffers)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(clientId)
            .WithCleanSession()
            .WithProtocolVersion(options.ProtocolVersion)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30));
        if (options.Transport == BrokerTransport.WebSocket)
        {
            return builder.WithWebSocketServer(ws => ws.WithUri($"ws://{options.Host}:{port}{options.WebSocketPath}")).Build();
        }

        var built = builder.WithTcpServer(options.Host, port).Build();
        var tcp = (MqttClientTcpOptions)built.ChannelOptions;
        tcp.NoDelay = true;
        tcp.BufferSize = smallBuffers ? SmallSocketBuffer : LargeSocketBuffer;
        return built;
    }
}
