using MqttCluster.Core.CommandLine;

namespace MqttCluster.Silo.Hosting;

/// <summary>Short command-line switches for the settings people change most, and the --help text.</summary>
public static class BrokerCommandLine
{
    public static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--port"] = "Mqtt:TcpPort",
        ["--ws-port"] = "Mqtt:WebSocketPort",
        ["--bind"] = "Mqtt:BindAddress",
        ["--data-dir"] = "Silo:DataDirectory",
        ["--silo-port"] = "Silo:SiloPort",
    };

    public static bool IsHelpRequested(string[] args) =>
        args.Any(a => a is "--help" or "-h" or "-?" or "/?");

    public const string HelpText = """
        mqtt-cluster-silo: a clustered MQTT broker on Microsoft Orleans (single node by default).

        Usage: dotnet run --project src/Silo -- [options]      (or: mqtt-cluster-silo -c /etc/mosquitto/mosquitto.conf)

        Every setting can come from appsettings.json, an environment variable (Section__Key, e.g. Mqtt__TcpPort=1884)
        or the command line (--Section:Key=value, e.g. --Mqtt:TcpPort=1884). Shortcuts:
          --port N           MQTT over TCP port                         (Mqtt:TcpPort, default 1883; -1 = off)
          --ws-port N        MQTT over WebSocket port                   (Mqtt:WebSocketPort, default 9001; -1 = off)
          --bind ADDRESS     address the MQTT listeners bind to         (Mqtt:BindAddress, default 127.0.0.1; * = all)
          --data-dir PATH    where retained messages are stored         (Silo:DataDirectory, default ./data)
          --silo-port N      Orleans silo-to-silo port                  (Silo:SiloPort, default 11111)

        More settings (Section:Key = default):
          Mqtt:WebSocketPaths        /mqtt and /   HTTP paths accepting MQTT WebSocket connections
          Mqtt:MaxPacketSize         16777216      largest packet accepted from a client, bytes
          Mqtt:ConnectTimeout        00:00:10      time a new connection has to send CONNECT
          Mqtt:MaxKeepAlive          0             cap on client keep-alive in seconds (0 = none)
          Mqtt:TopicAliasMaximum     64            inbound topic aliases per MQTT 5 client
          Mqtt:ReceiveMaximum        100           unacknowledged QoS 1/2 PUBLISH a v5 client may send us
          Mqtt:MaxInflightMessages   20            QoS 1/2 messages in flight towards one client
          Mqtt:RetainAvailable       true          accept retained messages
          Mqtt:SlowSubscribers       PushBack      a subscriber slower than its publishers paces them (PushBack) or
                                                   loses what its queue cannot hold (Drop, as Mosquitto)
          Security:DynamicSecurityFile  -          a Mosquitto dynamic-security.json imported on the first start: turns
                                                   on dynamic security (mosquitto_ctrl dynsec) and the REST API
          Security:DynamicSecurity   false         dynamic security without a file (the cluster already has its state)
          Sessions:PersistentClientExpiration  1.00:00:00  session expiry of 3.1.1 clients with clean session 0
          Sessions:MaxSessionExpiry  7.00:00:00    cap on any session's expiry (v5 clients ask for their own)
          Sessions:MaxQueuedMessages 1000          messages queued per client (offline, or behind the in-flight
                                                   window); newer ones are dropped and counted when full
          Sessions:QueueQos0Messages false         queue QoS 0 messages for offline sessions too
          Cluster:PostgresConnectionString     -     PostgreSQL for a multi-node cluster (unset: single node)
          Cluster:AdvertisedAddress  127.0.0.1     address other nodes reach this silo at
          Cluster:HostGateway        true          serve MQTT from this silo (false: grains only)
          Cluster:ClusterId          mqtt-cluster  Orleans cluster id
          Cluster:ServiceId          mqtt-broker   Orleans service id
          Silo:GatewayPort           0             port for standalone gateways (cluster mode: 30000 if 0)
          Logging:LogLevel:Default   Information   log level (Trace, Debug, Information, Warning, Error)
          Management:Port            8080          HTTP port for /healthz, /readyz, /metrics and the status page
                                                   (0 = any free port, -1 = off); Management:BindAddress 127.0.0.1
          Telemetry:Exporter         none          where traces (and with otlp, metrics and logs) go: console, otlp
          Telemetry:OtlpEndpoint     -             the OpenTelemetry Collector (else OTEL_EXPORTER_OTLP_ENDPOINT)
          Telemetry:SamplingRatio    1.0           share of messages traced (a sampled traceparent is always followed)
          Telemetry:SysInterval      10            seconds between $SYS updates (0 = off)
          Bridges:NAME:Addresses:0   -             a bridge to another broker (Topics:0:Pattern, ...: see README "Bridges")

        Mosquitto users:
          -c, --config FILE          read a mosquitto.conf (listeners, limits, persistence_location, logging,
                                     password_file, acl_file, the dynamic-security plugin, bridges);
                                     unsupported options are reported with their line; settings above win over it
          -d                         accepted and ignored (use the systemd unit to run in the background)

        Commands:
          db init                    create or upgrade the PostgreSQL schema (needs Cluster:PostgresConnectionString)

          -h, --help                 show this text
          --version                  print the version (name, version+commit) and exit

        """ + ExitCodes.HelpText;
}
