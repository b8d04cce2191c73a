using Microsoft.Extensions.Logging;

namespace MqttCluster.Gateway.Hosting;

/// <summary>Log lines of a gateway host.</summary>
internal static partial class GatewayHostLog
{
    // Scripts and tests wait for this line: keep its beginning stable.
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker ready: tcp {TcpEndpoint}, websocket {WebSocketEndpoint}, data {Storage}, management {Management}")]
    public static partial void Ready(ILogger logger, string tcpEndpoint, string webSocketEndpoint, string storage, string management);
}
