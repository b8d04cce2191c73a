namespace MqttCluster.Gateway;

/// <summary>Listeners and per-client limits of an MQTT gateway. Bound from the <c>Mqtt</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Mqtt";

    /// <summary>Address the MQTT listeners bind to. Loopback by default, like Mosquitto 2 without a listener line.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>MQTT over TCP; 0 picks a free port, -1 disables the listener.</summary>
    public int TcpPort { get; set; } = 1883;

    /// <summary>MQTT over WebSocket; 0 picks a free port, -1 disables the listener.</summary>
    public int WebSocketPort { get; set; } = 9001;

    /// <summary>HTTP paths that accept MQTT WebSocket connections.</summary>
    public string[] WebSocketPaths { get; set; } = ["/mqtt", "/"];

    /// <summary>Largest MQTT packet accepted from a client, in bytes (announced to MQTT 5 clients in CONNACK).</summary>
    public int MaxPacketSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a new connection may take to send CONNECT before it is closed.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Upper bound for a client's keep-alive in seconds; 0 = accept what the client asks for. A v5 client
    /// that asks for more (or for 0) is told this value as server keep-alive.</summary>
    public ushort MaxKeepAlive { get; set; }

    /// <summary>Inbound topic aliases a v5 client may use.</summary>
    public ushort TopicAliasMaximum { get; set; } = 64;

    /// <summary>QoS 1/2 PUBLISH packets a v5 client may have unacknowledged towards us (receive maximum).</summary>
    public ushort ReceiveMaximum { get; set; } = 100;

    /// <summary>QoS 1/2 messages in flight towards one client (Mosquitto's max_inflight_messages). For v5 the
    /// client's own receive maximum applies if smaller.</summary>
    public int MaxInflightMessages { get; set; } = 20;

    public bool RetainAvailable { get; set; } = true;

    /// <summary>TLS listeners (<c>Mqtt:Tls:*</c>).</summary>
    public Security.TlsOptions Tls { get; set; } = new();
}
