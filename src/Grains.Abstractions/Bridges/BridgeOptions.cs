using System.Text.Json.Serialization;

namespace MqttCluster.Grains;

/// <summary>
/// One bridge, as the native configuration declares it (section <c>Bridges:NAME</c>) or as a <c>mosquitto.conf</c>
/// <c>connection</c> block maps to it. Names follow Mosquitto's options; defaults are Mosquitto's.
/// </summary>
[GenerateSerializer, Alias("mqtt.BridgeOptions")]
public sealed class BridgeOptions
{
    public const string Section = "Bridges";

    /// <summary>The bridge's name (the <c>connection</c> name, or the configuration section's key).</summary>
    [Id(0)] public string Name { get; set; } = "";

    /// <summary>Remote brokers as <c>host:port</c> (port 1883 when missing), tried in order.</summary>
    [Id(1)] public string[] Addresses { get; set; } = [];

    /// <summary>After a failure, go on with the next address (true) or start again from the first (false).</summary>
    [Id(2)] public bool RoundRobin { get; set; }

    [Id(3)] public BridgeTopicOptions[] Topics { get; set; } = [];

    [Id(4)] public BridgeProtocolVersion ProtocolVersion { get; set; } = BridgeProtocolVersion.Mqtt311;

    /// <summary>The remote session starts clean at every connection (Mosquitto's <c>cleansession</c>).</summary>
    [Id(5)] public bool CleanSession { get; set; }

    /// <summary>Messages queued for the remote are discarded when the bridge starts; null = <see cref="CleanSession"/>.</summary>
    [Id(6)] public bool? LocalCleanSession { get; set; }

    /// <summary>Client id at the remote; null = <c>HOSTNAME.NAME</c> as in Mosquitto.</summary>
    [Id(7)] public string? RemoteClientId { get; set; }

    /// <summary>The bridge's identity here (the publisher of what it brings in); null = <c>local.REMOTE_CLIENTID</c>.</summary>
    [Id(8)] public string? LocalClientId { get; set; }

    [Id(9)] public string? RemoteUsername { get; set; }

    [Id(10)] public string? RemotePassword { get; set; }

    /// <summary>Tell the remote this is a bridge (MQTT 3.1/3.1.1: the protocol version's bridge bit), so it does not
    /// send our own messages back and passes retained flags on.</summary>
    [Id(11)] public bool TryPrivate { get; set; } = true;

    /// <summary>Publish the connection state (1 up, 0 down) retained, here and (unless local only) at the remote.</summary>
    [Id(12)] public bool Notifications { get; set; } = true;

    /// <summary>Null = <c>$SYS/broker/connection/REMOTE_CLIENTID/state</c>.</summary>
    [Id(13)] public string? NotificationTopic { get; set; }

    [Id(14)] public bool NotificationsLocalOnly { get; set; }

    [Id(15)] public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>First pause before connecting again; the back-off grows from it up to <see cref="RestartTimeoutCap"/>.</summary>
    [Id(16)] public TimeSpan RestartTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Id(17)] public TimeSpan RestartTimeoutCap { get; set; } = TimeSpan.FromSeconds(30);

    [Id(18)] public BridgeStartType StartType { get; set; } = BridgeStartType.Automatic;

    [Id(19)] public int Threshold { get; set; } = 10;

    [Id(20)] public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Unsubscribe at the remote from outgoing-only topics (a topic that used to be incoming stops).</summary>
    [Id(21)] public bool AttemptUnsubscribe { get; set; } = true;

    /// <summary>False clears the RETAIN flag of everything sent to the remote.</summary>
    [Id(22)] public bool OutgoingRetain { get; set; } = true;

    /// <summary>PEM CA certificates for the remote's certificate; setting it turns TLS on.</summary>
    [Id(23)] public string? CaFile { get; set; }

    /// <summary>A directory of PEM CA certificates (every file in it that holds any), as with <c>bridge_capath</c>;
    /// trusted beside <see cref="CaFile"/>; setting it turns TLS on.</summary>
    [Id(33)] public string? CaPath { get; set; }

    /// <summary>PEM client certificate and key, when the remote asks for one.</summary>
    [Id(24)] public string? CertFile { get; set; }

    [Id(25)] public string? KeyFile { get; set; }

    /// <summary>Skip the check that the remote's certificate names the host connected to (testing only).</summary>
    [Id(26)] public bool Insecure { get; set; }

    /// <summary><c>tlsv1.3</c>, <c>tlsv1.2</c> or <c>tlsv1.1</c>; null lets the TLS stack choose.</summary>
    [Id(27)] public string? TlsVersion { get; set; }

    /// <summary>QoS 1/2 messages kept for the remote while it cannot take them; beyond it new ones are dropped
    /// (counted as <c>bridge_queue_full</c>). Mosquitto's <c>max_queued_messages</c>.</summary>
    [Id(28)] public int MaxQueuedMessages { get; set; } = 1000;

    /// <summary>Largest packet sent to the remote, in bytes; 0 = no limit.</summary>
    [Id(29)] public long MaxPacketSize { get; set; }

    /// <summary>MQTT 5 receive maximum announced to the remote; 0 = the protocol's default.</summary>
    [Id(30)] public int ReceiveMaximum { get; set; }

    /// <summary>MQTT 5 session expiry interval asked of the remote, in seconds; null = Mosquitto's default.</summary>
    [Id(31)] public long? SessionExpiryInterval { get; set; }

    /// <summary>QoS 1/2 messages sent to the remote and not yet acknowledged, at most; the remote's MQTT 5 Receive
    /// Maximum lowers it. Order is kept. Mosquitto's <c>max_inflight_messages</c> default.</summary>
    [Id(32)] public int MaxInflightMessages { get; set; } = 20;

    [JsonIgnore]
    public bool EffectiveLocalCleanSession => LocalCleanSession ?? CleanSession;

    [JsonIgnore]
    public string EffectiveRemoteClientId => RemoteClientId ?? $"{System.Net.Dns.GetHostName()}.{Name}";

    [JsonIgnore]
    public string EffectiveLocalClientId => LocalClientId ?? $"local.{EffectiveRemoteClientId}";

    [JsonIgnore]
    public string EffectiveNotificationTopic => NotificationTopic ?? $"$SYS/broker/connection/{EffectiveRemoteClientId}/state";
}
