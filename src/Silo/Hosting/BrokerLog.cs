namespace MqttCluster.Silo.Hosting;

/// <summary>Log lines of the broker host.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT broker ready: tcp {TcpEndpoint}, websocket {WebSocketEndpoint}, data in {DataDirectory}")]
    public static partial void Listening(ILogger logger, string tcpEndpoint, string webSocketEndpoint, string dataDirectory);
}
