using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// The MQTT listeners as bound. With port 0 Kestrel picks a free port; once the server has started these report
/// the real one (tests and the start-up log line read them).
/// </summary>
public sealed class GatewayEndpoints
{
    internal ListenOptions? Tcp { get; set; }

    internal ListenOptions? WebSocket { get; set; }

    internal ListenOptions? TlsTcp { get; set; }

    internal ListenOptions? TlsWebSocket { get; set; }

    public IPEndPoint? TlsEndPoint => TlsTcp?.IPEndPoint;

    public IPEndPoint? TlsWebSocketEndPoint => TlsWebSocket?.IPEndPoint;

    public IPEndPoint? TcpEndPoint => Tcp?.IPEndPoint;

    public IPEndPoint? WebSocketEndPoint => WebSocket?.IPEndPoint;
}
