namespace MqttCluster.Core.Configuration;

/// <summary>One network listener and the options written in its section.</summary>
public sealed class MosquittoListener
{
    internal MosquittoListener(ListenerOrigin origin, int port, string? bindAddress, string file, int line)
    {
        Origin = origin;
        Port = port;
        BindAddress = bindAddress;
        File = file;
        Line = line;
    }

    public ListenerOrigin Origin { get; }

    public int Port { get; internal set; }

    /// <summary>IP address or host name to bind to; null means every address (IPv4 and IPv6).</summary>
    public string? BindAddress { get; internal set; }

    public ListenerProtocol Protocol { get; internal set; } = ListenerProtocol.Mqtt;

    /// <summary>Absolute path of the PEM server certificate; with <see cref="KeyFile"/> it turns TLS on.</summary>
    public string? CertFile { get; internal set; }

    /// <summary>Absolute path of the PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; internal set; }

    /// <summary>Absolute path of the PEM CA certificates trusted for client certificates.</summary>
    public string? CaFile { get; internal set; }

    /// <summary>Absolute path of the PEM certificate revocation lists checked for client certificates.</summary>
    public string? CrlFile { get; internal set; }

    /// <summary>Clients must present a certificate signed by <see cref="CaFile"/>.</summary>
    public bool RequireCertificate { get; internal set; }

    /// <summary>The client certificate's Common Name becomes the MQTT username (and no password is checked).</summary>
    public bool UseIdentityAsUsername { get; internal set; }

    /// <summary>The client certificate's whole subject (RFC 2253) becomes the MQTT username.</summary>
    public bool UseSubjectAsUsername { get; internal set; }

    /// <summary>Prefix of every topic of this listener's clients (<c>mount_point</c>); null means none.</summary>
    public string? MountPoint { get; internal set; }

    /// <summary>Highest QoS this listener's clients may use (<c>max_qos</c>).</summary>
    public byte MaxQos { get; internal set; } = 2;

    /// <summary>Most clients connected to this listener at once; -1 means no limit.</summary>
    public int MaxConnections { get; internal set; } = -1;

    /// <summary>This listener's authentication options; used only when <c>per_listener_settings true</c>.</summary>
    public MosquittoSecurity Security { get; } = new();

    /// <summary>The file that defined the listener (for diagnostics).</summary>
    public string File { get; internal set; }

    /// <summary>The line that defined the listener; for the default listener the first line that implied it; 0 for local-only mode.</summary>
    public int Line { get; internal set; }

    public bool UsesTls => CertFile is not null;

    /// <summary>Lines of the options set in this section, for checks that need the whole section.</summary>
    internal Dictionary<string, ConfigLine> OptionLines { get; } = new(StringComparer.Ordinal);

    public override string ToString() =>
        $"{(BindAddress ?? "*")}:{Port} ({Protocol}{(UsesTls ? ", TLS" : "")})";
}
