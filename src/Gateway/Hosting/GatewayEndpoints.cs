using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Listeners;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// The MQTT listeners as bound. With port 0 Kestrel picks a free port; once the server has started these report
/// the real one (tests and the start-up log line read them). The first listener of each kind stands for it.
/// </summary>
public sealed class GatewayEndpoints
{
    private readonly List<(GatewayListener Listener, ListenOptions Listen)> _bound = [];

    public IPEndPoint? TcpEndPoint => First(ListenerProtocol.Mqtt, tls: false);

    public IPEndPoint? WebSocketEndPoint => First(ListenerProtocol.WebSockets, tls: false);

    public IPEndPoint? TlsEndPoint => First(ListenerProtocol.Mqtt, tls: true);

    public IPEndPoint? TlsWebSocketEndPoint => First(ListenerProtocol.WebSockets, tls: true);

    /// <summary>Every listener with the address it is bound to.</summary>
    public IReadOnlyList<(GatewayListener Listener, IPEndPoint? EndPoint)> All =>
        [.. _bound.Select(b => (b.Listener, b.Listen.IPEndPoint))];

    internal void Add(GatewayListener listener, ListenOptions listen) => _bound.Add((listener, listen));

    private IPEndPoint? First(ListenerProtocol protocol, bool tls) =>
        _bound.Find(b => b.Listener.Protocol == protocol && (b.Listener.Tls is not null) == tls).Listen?.IPEndPoint;
}
