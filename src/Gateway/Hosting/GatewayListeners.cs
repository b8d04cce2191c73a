using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Security;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Hosting;

/// <summary>Kestrel listeners for MQTT over TCP and over WebSocket.</summary>
public static class GatewayListeners
{
    private static readonly string[] SubProtocols = ["mqtt", "mqttv3.1"];

    /// <summary>Adds the TCP listener (MQTT straight on the socket) and the WebSocket listener (HTTP).</summary>
    public static void ListenMqtt(this KestrelServerOptions kestrel, GatewayOptions options, GatewayEndpoints endpoints)
    {
        // Kestrel must be able to buffer a whole packet while the reader waits for its last byte.
        kestrel.Limits.MaxRequestBufferSize = options.MaxPacketSize + (64L * 1024);
        if (options.TcpPort >= 0)
        {
            KestrelBindAddress.Listen(kestrel, options.BindAddress, options.TcpPort, listen =>
            {
                listen.UseConnectionHandler<BrokerConnectionHandler>();
                endpoints.Tcp = listen;
            });
        }

        if (options.WebSocketPort >= 0)
        {
            KestrelBindAddress.Listen(kestrel, options.BindAddress, options.WebSocketPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                endpoints.WebSocket = listen;
            });
        }

        var tls = options.Tls;
        if (tls.Port >= 0)
        {
            KestrelBindAddress.Listen(kestrel, options.BindAddress, tls.Port, listen =>
            {
                listen.UseHttps(https => TlsCertificates.Configure(https, tls));
                listen.UseConnectionHandler<BrokerConnectionHandler>();
                endpoints.TlsTcp = listen;
            });
        }

        if (tls.WebSocketPort >= 0)
        {
            KestrelBindAddress.Listen(kestrel, options.BindAddress, tls.WebSocketPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(https => TlsCertificates.Configure(https, tls));
                endpoints.TlsWebSocket = listen;
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
