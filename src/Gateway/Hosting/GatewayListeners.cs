using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Listeners;
using MqttCluster.Gateway.Security;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Hosting;

/// <summary>Kestrel listeners for MQTT over TCP and over WebSocket, plain or TLS.</summary>
public static class GatewayListeners
{
    private static readonly string[] SubProtocols = ["mqtt", "mqttv3.1"];

    /// <summary>
    /// Opens every configured listener: MQTT straight on the socket, or HTTP for MQTT over WebSocket; TLS where the
    /// listener has certificates. Each connection is tagged with its listener before anything else runs.
    /// </summary>
    public static void ListenMqtt(this KestrelServerOptions kestrel, GatewayOptions options, ConfiguredListeners listeners, GatewayEndpoints endpoints)
    {
        // Kestrel must be able to buffer a whole packet while the reader waits for its last byte.
        kestrel.Limits.MaxRequestBufferSize = options.MaxPacketSize + (64L * 1024);
        foreach (var listener in listeners.All)
        {
            KestrelBindAddress.Listen(kestrel, listener.BindAddress, listener.Port, listen =>
            {
                listen.Use(next => connection =>
                {
                    listener.Tag(connection);
                    return next(connection);
                });
                if (listener.Tls is { } tls)
                {
                    listen.UseHttps(https => TlsCertificates.Configure(https, tls));
                }

                if (listener.Protocol == ListenerProtocol.Mqtt)
                {
                    listen.UseConnectionHandler<BrokerConnectionHandler>();
                }
                else
                {
                    listen.Protocols = HttpProtocols.Http1;
                }

                endpoints.Add(listener, listen);
            });
        }
    }

    /// <summary>Maps the WebSocket paths onto the MQTT connection handler.</summary>
    public static void MapMqttWebSockets(this IEndpointRouteBuilder endpoints, GatewayOptions options)
    {
        foreach (var path in options.WebSocketPaths)
        {
            // The dispatcher also maps "{path}/negotiate", so the root must be given as "" (it still matches "/").
            endpoints.MapConnectionHandler<BrokerConnectionHandler>(path.TrimEnd('/'), dispatcher =>
            {
                dispatcher.Transports = HttpTransportType.WebSockets;
                dispatcher.WebSockets.SubProtocolSelector = SelectSubProtocol;
                // Whole MQTT packets must fit in the pipes between the WebSocket and the connection handler.
                dispatcher.ApplicationMaxBufferSize = options.MaxPacketSize + (64L * 1024);
                dispatcher.TransportMaxBufferSize = options.MaxPacketSize + (64L * 1024);
            });
        }
    }

    // Null (no subprotocol in the response) when the client offered none we know.
    private static string SelectSubProtocol(IList<string> requested) =>
        requested.FirstOrDefault(p => SubProtocols.Contains(p, StringComparer.OrdinalIgnoreCase)) ??
        requested.FirstOrDefault(p => p.StartsWith("mqtt", StringComparison.OrdinalIgnoreCase))!;
}
