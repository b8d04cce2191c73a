namespace MqttCluster.Core.Configuration;

/// <summary>
/// A parsed <c>mosquitto.conf</c> (with its <c>include_dir</c> files). Properties hold Mosquitto 2's defaults for
/// options the file does not set; <see cref="Diagnostics"/> lists what was wrong or not supported.
/// </summary>
public sealed class MosquittoConfig
{
    internal List<MosquittoListener> ListenerList { get; } = [];

    internal List<ConfigDiagnostic> DiagnosticList { get; } = [];

    internal List<string> FileList { get; } = [];

    internal List<MosquittoBridge> BridgeList { get; } = [];

    /// <summary>Every listener the broker should open, in Mosquitto's order; never empty.</summary>
    public IReadOnlyList<MosquittoListener> Listeners => ListenerList;

    /// <summary>The bridges (<c>connection</c> sections), in the order written.</summary>
    public IReadOnlyList<MosquittoBridge> Bridges => BridgeList;

    /// <summary>True when nothing defines a listener, so only the loopback listener on 1883 exists.</summary>
    public bool LocalOnly => ListenerList is [{ Origin: ListenerOrigin.LocalOnly }];

    /// <summary>Security options are per listener (<see cref="MosquittoListener.Security"/>) instead of global.</summary>
    public bool PerListenerSettings { get; internal set; }

    /// <summary>Global security options; used when <see cref="PerListenerSettings"/> is false.</summary>
    public MosquittoSecurity Security { get; } = new();

    /// <summary>Keep sessions, subscriptions and retained messages on disk.</summary>
    public bool Persistence { get; internal set; }

    /// <summary>Absolute directory of the persistence database, without a trailing separator; null = working directory.</summary>
    public string? PersistenceLocation { get; internal set; }

    /// <summary>File name of Mosquitto's database inside <see cref="PersistenceLocation"/>.</summary>
    public string PersistenceFile { get; internal set; } = "mosquitto.db";

    /// <summary>How often the database is saved; zero means only on shutdown.</summary>
    public TimeSpan AutosaveInterval { get; internal set; } = TimeSpan.FromSeconds(1800);

    /// <summary>QoS 1/2 messages queued per client beyond those in flight; 0 means no limit.</summary>
    public int MaxQueuedMessages { get; internal set; } = 1000;

    /// <summary>Also queue QoS 0 messages for disconnected persistent clients (non-standard).</summary>
    public bool QueueQos0Messages { get; internal set; }

    /// <summary><c>connection_messages</c>: whether connects and disconnects are logged (Mosquitto's default: yes).</summary>
    public bool ConnectionMessages { get; internal set; } = true;

    /// <summary>Outgoing QoS 1/2 messages in flight per client; 0 means no limit.</summary>
    public int MaxInflightMessages { get; internal set; } = 20;

    /// <summary>Largest PUBLISH payload accepted, in bytes; 0 means the protocol maximum.</summary>
    public long MessageSizeLimit { get; internal set; }

    /// <summary>Largest MQTT packet accepted, in bytes; null means no limit beyond the protocol's.</summary>
    public long? MaxPacketSize { get; internal set; }

    /// <summary>Largest keep-alive (seconds) an MQTT 5 client may use; larger requests get this as server keep-alive.</summary>
    public int MaxKeepAlive { get; internal set; } = 65535;

    /// <summary>Persistent sessions not resumed within this time are removed; null means never.</summary>
    public TimeSpan? PersistentClientExpiration { get; internal set; }

    /// <summary>Deliver at the subscription's QoS even when the message was published with a lower one (non-standard).</summary>
    public bool UpgradeOutgoingQos { get; internal set; }

    public bool RetainAvailable { get; internal set; } = true;

    /// <summary>Period of the <c>$SYS</c> updates; zero disables them.</summary>
    public TimeSpan SysInterval { get; internal set; } = TimeSpan.FromSeconds(10);

    public MosquittoLogDestinations LogDestinations { get; internal set; } = MosquittoLogDestinations.Stderr;

    /// <summary>Absolute path from <c>log_dest file PATH</c>.</summary>
    public string? LogFile { get; internal set; }

    public MosquittoLogTypes LogTypes { get; internal set; } = MosquittoLogTypes.Default;

    /// <summary>Absolute paths of the files read, the main file first, then <c>include_dir</c> files in load order.</summary>
    public IReadOnlyList<string> Files => FileList;

    /// <summary>Warnings and errors, each naming file and line.</summary>
    public IReadOnlyList<ConfigDiagnostic> Diagnostics => DiagnosticList;

    /// <summary>True when the broker must not start with this configuration.</summary>
    public bool HasErrors => DiagnosticList.Exists(d => d.Severity == ConfigSeverity.Error);

    /// <summary>The security options that apply to <paramref name="listener"/>.</summary>
    public MosquittoSecurity SecurityFor(MosquittoListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return PerListenerSettings && listener.Origin != ListenerOrigin.LocalOnly ? listener.Security : Security;
    }

    /// <summary>
    /// Whether anonymous clients may connect through <paramref name="listener"/>: what <c>allow_anonymous</c>
    /// says, else Mosquitto 2's default — true in local-only mode, false as soon as any listener is configured.
    /// </summary>
    public bool AllowsAnonymous(MosquittoListener listener) =>
        SecurityFor(listener).AllowAnonymous ?? listener.Origin == ListenerOrigin.LocalOnly;
}
