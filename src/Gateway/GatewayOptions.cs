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

    /// <summary>Largest MQTT packet accepted from a client, in bytes (announced to MQTT 5 clients in CONNACK); at
    /// least 20, Mosquitto's minimum.</summary>
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

    /// <summary>Deliver each message at the QoS its subscriber was granted, even when it was published with a lower
    /// one (Mosquitto's upgrade_outgoing_qos). Against MQTT's rule [MQTT-3.8.4-8]; off by default.</summary>
    public bool UpgradeOutgoingQoS { get; set; }

    /// <summary>
    /// Accept control characters (U+0001-U+001F, U+007F-U+009F) and Unicode non-characters in client ids, user
    /// names, topic names and filters. The specification lets a server refuse them (1.5.4) and Mosquitto 2.1 does;
    /// so do we unless this is true. Ill-formed UTF-8, surrogates and U+0000 are refused always [MQTT-1.5.4-1].
    /// </summary>
    public bool AllowControlCharacters { get; set; }

    /// <summary>Clients connected to this node at once (Mosquitto's max_connections); -1 = no limit. Beyond it a
    /// CONNECT is refused with v5 0x89 (server busy) / 3.1.1 0x03 (server unavailable).</summary>
    public int MaxConnections { get; set; } = -1;

    /// <summary>Subscriptions one client may hold; 0 = no limit. Beyond it: SUBACK 0x97 (quota exceeded) / 0x80.</summary>
    public int MaxSubscriptionsPerClient { get; set; }

    /// <summary>Levels a topic name or filter may have; deeper ones are invalid (0x90 / 0x8F).</summary>
    public int MaxTopicLevels { get; set; } = 128;

    /// <summary>UTF-16 length a topic name or filter may have (the protocol allows 65535 bytes).</summary>
    public int MaxTopicLength { get; set; } = 65535;

    /// <summary>Mqtt:MaxTopicLength / Mqtt:MaxTopicLevels, for topic names and filters alike.</summary>
    public bool ExceedsTopicLimits(string name) =>
        name.Length > MaxTopicLength || name.AsSpan().Count('/') + 1 > MaxTopicLevels;

    /// <summary>PUBLISH packets per second one client may send; 0 = no limit. Faster clients are slowed down
    /// (their connection is read more slowly), not disconnected.</summary>
    public int MaxPublishRatePerClient { get; set; }

    /// <summary>A client that takes none of the packets waiting for it for this long is disconnected, so a stuck
    /// subscriber frees its memory.</summary>
    public TimeSpan SlowConsumerTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// What happens when a subscriber takes QoS 1/2 messages more slowly than they are published to it: PushBack
    /// (default) answers deliveries to it only once its queue is below half the queue limit, so the publishers are
    /// acknowledged at its pace; Drop queues up to the limit and drops beyond it, as Mosquitto does.
    /// See <see cref="Connections.SubscriberFlowControl"/>.
    /// </summary>
    public SlowSubscriberPolicy SlowSubscribers { get; set; } = SlowSubscriberPolicy.PushBack;

    /// <summary>
    /// With PushBack, a subscriber that acknowledges nothing for this long stops holding publishers back (its queue
    /// limit applies) until it acknowledges again. Below the 3 s a delivery may take before the cluster retries it.
    /// </summary>
    public TimeSpan PushBackGiveUpAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>TLS listeners (<c>Mqtt:Tls:*</c>).</summary>
    public Security.TlsOptions Tls { get; set; } = new();

    /// <summary>More listeners, each with its own address, protocol, TLS, mount point, maximum QoS and security
    /// (<c>Mqtt:Listeners:N:*</c>; a mosquitto.conf's listeners go here).</summary>
    public Listeners.MqttListenerOptions[] Listeners { get; set; } = [];

    /// <summary>Largest PUBLISH or will payload accepted, in bytes (Mosquitto's message_size_limit); 0 = no limit.
    /// A larger PUBLISH is dropped and acknowledged (MQTT 5: 0x97 quota exceeded), a larger will refuses the CONNECT
    /// (MQTT 5 CONNACK 0x95, 3.1.1 0x05).</summary>
    public long MessageSizeLimit { get; set; }
}
