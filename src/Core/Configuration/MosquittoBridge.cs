namespace MqttCluster.Core.Configuration;

/// <summary>
/// One bridge section of a <c>mosquitto.conf</c> (a <c>connection NAME</c> line and the options after it), with
/// Mosquitto 2's defaults for what the section does not set. Values are as written, checked for syntax; which of
/// them the broker honours is the host's decision (see the README's "Bridges" section).
/// </summary>
public sealed class MosquittoBridge
{
    internal MosquittoBridge(string name, string file, int line)
    {
        Name = name;
        File = file;
        Line = line;
    }

    public string Name { get; }

    /// <summary>The file and line of the <c>connection</c> line.</summary>
    public string File { get; }

    public int Line { get; }

    /// <summary>Remote brokers as <c>host:port</c> (1883 when the line gave no port), in the order written.</summary>
    public List<string> Addresses { get; } = [];

    public bool RoundRobin { get; internal set; }

    public List<MosquittoBridgeTopic> Topics { get; } = [];

    /// <summary><c>mqttv31</c>, <c>mqttv311</c> (the default) or <c>mqttv50</c>.</summary>
    public string ProtocolVersion { get; internal set; } = "mqttv311";

    public bool CleanSession { get; internal set; }

    /// <summary>Null: the same as <see cref="CleanSession"/>, as Mosquitto documents.</summary>
    public bool? LocalCleanSession { get; internal set; }

    /// <summary>Null: Mosquitto's default, <c>HOSTNAME.NAME</c>.</summary>
    public string? RemoteClientId { get; internal set; }

    /// <summary>Null: Mosquitto's default, <c>local.REMOTE_CLIENTID</c>.</summary>
    public string? LocalClientId { get; internal set; }

    public string? RemoteUsername { get; internal set; }

    public string? RemotePassword { get; internal set; }

    public bool TryPrivate { get; internal set; } = true;

    public bool Notifications { get; internal set; } = true;

    public string? NotificationTopic { get; internal set; }

    public bool NotificationsLocalOnly { get; internal set; }

    public int KeepAliveInterval { get; internal set; } = 60;

    /// <summary>First reconnect delay in seconds; with <see cref="RestartTimeoutCap"/> the back-off's range.</summary>
    public int RestartTimeoutBase { get; internal set; } = 5;

    /// <summary>Upper bound of the reconnect delay in seconds; equal to the base for a constant delay.</summary>
    public int RestartTimeoutCap { get; internal set; } = 30;

    /// <summary><c>automatic</c> (the default), <c>lazy</c> or <c>once</c>.</summary>
    public string StartType { get; internal set; } = "automatic";

    public int Threshold { get; internal set; } = 10;

    public int IdleTimeout { get; internal set; } = 60;

    public bool AttemptUnsubscribe { get; internal set; } = true;

    public bool OutgoingRetain { get; internal set; } = true;

    public string? CaFile { get; internal set; }

    public string? CaPath { get; internal set; }

    public string? CertFile { get; internal set; }

    public string? KeyFile { get; internal set; }

    public bool Insecure { get; internal set; }

    /// <summary><c>tlsv1.3</c>, <c>tlsv1.2</c> or <c>tlsv1.1</c>; null leaves the choice to the TLS stack.</summary>
    public string? TlsVersion { get; internal set; }

    /// <summary>Largest packet sent to the remote in bytes; 0 = no limit.</summary>
    public long MaxPacketSize { get; internal set; }

    /// <summary>MQTT 5 receive maximum announced to the remote; null = the protocol's default.</summary>
    public int? ReceiveMaximum { get; internal set; }

    /// <summary>MQTT 5 session expiry interval in seconds asked of the remote; null = the default.</summary>
    public long? SessionExpiryInterval { get; internal set; }

    /// <summary>The line of each option set in this section, for messages about it.</summary>
    public Dictionary<string, int> OptionLines { get; } = new(StringComparer.Ordinal);

    public override string ToString() => $"bridge '{Name}' ({File}:{Line})";
}
