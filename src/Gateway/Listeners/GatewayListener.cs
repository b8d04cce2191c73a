using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Security;

namespace MqttCluster.Gateway.Listeners;

/// <summary>
/// One socket the gateway listens on, with what its connections get: <see cref="Services"/>, the gateway's
/// services as this listener's clients see them (its own authentication, ACL, mount point and maximum QoS).
/// Each accepted connection is tagged with its listener, so the one connection handler serves them all.
/// </summary>
public sealed class GatewayListener(string name, string bindAddress, int port, ListenerProtocol protocol, TlsCertificateOptions? tls, GatewayServices services)
{
    private static readonly object ItemKey = typeof(GatewayListener);

    public string Name { get; } = name;

    public string BindAddress { get; } = bindAddress;

    public int Port { get; } = port;

    public ListenerProtocol Protocol { get; } = protocol;

    /// <summary>The certificates when the listener speaks TLS; null for a plain one.</summary>
    public TlsCertificateOptions? Tls { get; } = tls;

    public GatewayServices Services { get; } = services;

    /// <summary>Marks a connection Kestrel accepted on this listener.</summary>
    public void Tag(ConnectionContext connection) => connection.Items[ItemKey] = this;

    /// <summary>The listener a connection arrived on: for a WebSocket, the one of the HTTP connection under it.</summary>
    public static GatewayListener? Of(ConnectionContext connection)
    {
        if (connection.Items.TryGetValue(ItemKey, out var tagged))
        {
            return tagged as GatewayListener;
        }

        var http = connection.Features.Get<IHttpContextFeature>()?.HttpContext;
        return http?.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var underlying) == true
            ? underlying as GatewayListener
            : null;
    }

    public override string ToString() => $"{Name} {BindAddress}:{Port} ({Protocol}{(Tls is null ? "" : ", TLS")})";
}
