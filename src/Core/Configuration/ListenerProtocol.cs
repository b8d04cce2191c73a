namespace MqttCluster.Core.Configuration;

/// <summary>The value of Mosquitto's <c>protocol</c> option for one listener.</summary>
public enum ListenerProtocol
{
    /// <summary>MQTT over TCP (<c>protocol mqtt</c>, the default).</summary>
    Mqtt,

    /// <summary>MQTT over WebSocket (<c>protocol websockets</c>).</summary>
    WebSockets,
}
