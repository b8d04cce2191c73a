using System.IO.Compression;
using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class ExampleConfigTests
{
    private const string DebianExample = "/usr/share/doc/mosquitto/examples/mosquitto.conf";

    [FactWhenFileExists(DebianExample, DebianExample + ".gz")]
    public void TheDebianExampleConfigurationIsAllCommentsSoEverythingIsDefault()
    {
        var path = File.Exists(DebianExample) ? DebianExample : DebianExample + ".gz";
        using var stream = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(stream, CompressionMode.Decompress) : stream);

        var config = MosquittoConfigParser.ParseText(reader.ReadToEnd(), path);

        Conf.NoDiagnostics(config);
        Assert.True(config.LocalOnly);
        Assert.Equal((1883, "127.0.0.1"), (config.Listeners[0].Port, config.Listeners[0].BindAddress));
        Assert.False(config.Persistence);
        Assert.Equal(1000, config.MaxQueuedMessages);
    }

    [Fact]
    public void TheDebianPackagesMainFileParsesWithOnlyThePidFileWarning()
    {
        // The shape of /etc/mosquitto/mosquitto.conf as Debian's mosquitto package installs it.
        using var dir = new TempDirectory();
        _ = dir.Write("conf.d/README", "Any files placed in this directory with a .conf ending are loaded");
        var main = dir.Write("mosquitto.conf",
            "# Place your local configuration in /etc/mosquitto/conf.d/",
            "",
            "pid_file /run/mosquitto/mosquitto.pid",
            "",
            "persistence true",
            "persistence_location /var/lib/mosquitto/",
            "",
            "log_dest file /var/log/mosquitto/mosquitto.log",
            "",
            $"include_dir {dir.Path}/conf.d");

        var config = MosquittoConfigParser.Parse(main);

        var warning = Assert.Single(config.Diagnostics);
        Assert.Equal((ConfigSeverity.Warning, 3, "pid_file"), (warning.Severity, warning.Line, warning.Option));
        Assert.True(config.LocalOnly);
        Assert.True(config.Persistence);
        Assert.Equal("/var/lib/mosquitto", config.PersistenceLocation);
        Assert.Equal(MosquittoLogDestinations.File, config.LogDestinations);
        Assert.Equal("/var/log/mosquitto/mosquitto.log", config.LogFile);
    }

    [Fact]
    public void AConfigurationUsingEverySupportedOptionParsesToTheExpectedModel()
    {
        var config = Conf.Parse(
            "per_listener_settings false",
            "allow_anonymous false",
            "password_file /etc/mosquitto/passwd",
            "acl_file /etc/mosquitto/aclfile",
            "persistence true",
            "persistence_location /var/lib/mosquitto/",
            "persistence_file broker.db",
            "autosave_interval 300",
            "max_queued_messages 2000",
            "queue_qos0_messages true",
            "max_inflight_messages 10",
            "message_size_limit 65536",
            "max_packet_size 131072",
            "max_keepalive 120",
            "persistent_client_expiration 14d",
            "retain_available false",
            "sys_interval 30",
            "log_dest stdout",
            "log_dest syslog",
            "log_type error",
            "log_type warning",
            "port 1883",
            "bind_address 192.168.1.10",
            "listener 8883",
            "certfile certs/server.crt",
            "keyfile certs/server.key",
            "cafile ca_certificates/ca.crt",
            "require_certificate true",
            "use_identity_as_username true",
            "max_connections 50",
            "listener 9001 127.0.0.1",
            "protocol websockets",
            "max_connections 10");

        Conf.NoDiagnostics(config);
        Assert.False(config.PerListenerSettings);
        Assert.Equal((false, "/etc/mosquitto/passwd", "/etc/mosquitto/aclfile"),
            (config.Security.AllowAnonymous, config.Security.PasswordFile, config.Security.AclFile));
        Assert.Equal((true, "/var/lib/mosquitto", "broker.db", TimeSpan.FromMinutes(5)),
            (config.Persistence, config.PersistenceLocation, config.PersistenceFile, config.AutosaveInterval));
        Assert.Equal((2000, true, 10), (config.MaxQueuedMessages, config.QueueQos0Messages, config.MaxInflightMessages));
        Assert.Equal((65536L, 131072L, 120), (config.MessageSizeLimit, config.MaxPacketSize, config.MaxKeepAlive));
        Assert.Equal((TimeSpan.FromDays(14), false, TimeSpan.FromSeconds(30)),
            (config.PersistentClientExpiration, config.RetainAvailable, config.SysInterval));
        Assert.Equal(MosquittoLogDestinations.Stdout | MosquittoLogDestinations.Syslog, config.LogDestinations);
        Assert.Equal(MosquittoLogTypes.Error | MosquittoLogTypes.Warning, config.LogTypes);

        Assert.Equal(3, config.Listeners.Count);
        var (tls, ws, tcp) = (config.Listeners[0], config.Listeners[1], config.Listeners[2]);
        Assert.Equal((8883, null, ListenerProtocol.Mqtt, 50), (tls.Port, tls.BindAddress, tls.Protocol, tls.MaxConnections));
        Assert.Equal(("/etc/mosquitto/certs/server.crt", "/etc/mosquitto/certs/server.key", "/etc/mosquitto/ca_certificates/ca.crt"),
            (tls.CertFile, tls.KeyFile, tls.CaFile));
        Assert.True(tls.RequireCertificate && tls.UseIdentityAsUsername && tls.UsesTls);
        Assert.Equal((9001, "127.0.0.1", ListenerProtocol.WebSockets, 10, false), (ws.Port, ws.BindAddress, ws.Protocol, ws.MaxConnections, ws.UsesTls));
        Assert.Equal((ListenerOrigin.DefaultListener, 1883, "192.168.1.10", 22), (tcp.Origin, tcp.Port, tcp.BindAddress, tcp.Line));
        Assert.All(config.Listeners, l => Assert.False(config.AllowsAnonymous(l)));
    }
}
