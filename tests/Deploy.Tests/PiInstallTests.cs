using MqttCluster.Deploy.Tests.Infrastructure;

namespace MqttCluster.Deploy.Tests;

/// <summary>
/// deploy/pi/install.sh run into a temporary root (--root) that looks like the seed's Raspberry Pi: Mosquitto's
/// configuration and unit, and an rc.local line starting it. The result is then verified as installed.
/// </summary>
public sealed class PiInstallTests : IDisposable
{
    private const string SeedConfig = """
        pid_file /run/mosquitto/mosquitto.pid
        persistence true
        persistence_location /var/lib/mosquitto/
        log_dest file /var/log/mosquitto/mosquitto.log
        port 1883
        listener 9001
        protocol websockets
        allow_anonymous true

        """;

    private const string SeedRcLocal = """
        #!/bin/sh -e
        # rc.local
        mosquitto -d -c /etc/mosquitto/mosquitto.conf
        mosquitto_pub -t boot -m up || true
        exit 0

        """;

    private readonly TempDirectory _machine = new("pi-root");
    private readonly TempDirectory _publish = new("pi-publish");

    public PiInstallTests()
    {
        _machine.Write("etc/mosquitto/mosquitto.conf", SeedConfig);
        _machine.Write("etc/rc.local", SeedRcLocal, executable: true);
        _machine.Write("usr/lib/systemd/system/mosquitto.service",
            "[Unit]\nDescription=Mosquitto MQTT Broker\n[Service]\nExecStart=/usr/sbin/mosquitto -c /etc/mosquitto/mosquitto.conf\n[Install]\nWantedBy=multi-user.target\n");
        Directory.CreateDirectory(_machine.Combine("etc/systemd/system/multi-user.target.wants"));
        File.CreateSymbolicLink(_machine.Combine("etc/systemd/system/multi-user.target.wants/mosquitto.service"), "/usr/lib/systemd/system/mosquitto.service");

        // A self-contained publish, as far as the script can tell (it looks for libcoreclr.so).
        _publish.Write(BrokerCommand.SiloExecutable, "#!/bin/sh\nexit 0\n", executable: true);
        _publish.Write(BrokerCommand.GatewayExecutable, "#!/bin/sh\nexit 0\n", executable: true);
        _publish.Write("libcoreclr.so", "");
        _publish.Write("appsettings.json", "{}");
    }

    [FactWhenToolExists("systemctl", "systemd")]
    public void Install_replaces_mosquitto_and_the_installed_unit_verifies()
    {
        var result = Install();
        Assert.True(result.ExitCode == 0, result.ToString());

        Assert.True(File.Exists(_machine.Combine($"opt/mqtt-cluster/{BrokerCommand.SiloExecutable}")));
        Assert.Equal(SeedConfig, File.ReadAllText(_machine.Combine("etc/mqtt-cluster/mosquitto.conf")));
        var env = File.ReadAllLines(_machine.Combine("etc/mqtt-cluster/env"));
        Assert.Contains("MQTT_CLUSTER_ARGS=\"-c /etc/mqtt-cluster/mosquitto.conf\"", env);

        var rcLocal = File.ReadAllLines(_machine.Combine("etc/rc.local"));
        Assert.Contains("# replaced by mqtt-cluster.service: mosquitto -d -c /etc/mosquitto/mosquitto.conf", rcLocal);
        Assert.Contains("mosquitto_pub -t boot -m up || true", rcLocal);
        Assert.Equal(SeedRcLocal, File.ReadAllText(_machine.Combine("etc/rc.local.pre-mqtt-cluster")));

        var wants = _machine.Combine("etc/systemd/system/multi-user.target.wants");
        Assert.False(File.Exists(Path.Combine(wants, "mosquitto.service")), "mosquitto.service is still enabled");
        Assert.Equal("/etc/systemd/system/mqtt-cluster.service", new FileInfo(Path.Combine(wants, "mqtt-cluster.service")).LinkTarget);
        Assert.Equal(
            Repository.Read("deploy/systemd/mqtt-cluster.service"),
            File.ReadAllText(_machine.Combine("etc/systemd/system/mqtt-cluster.service")));

        // The unit as installed: the binary it starts is the one install.sh copied there.
        if (SystemdRoot.IsAvailable)
        {
            var root = SystemdRoot.Over(_machine);
            var verify = root.Verify(_machine.Combine("etc/systemd/system/mqtt-cluster.service"));
            Assert.True(verify.ExitCode == 0 && !verify.Both.Contains("mqtt-cluster.service", StringComparison.Ordinal), verify.ToString());
        }
    }

    [FactWhenToolExists("systemctl", "systemd")]
    public void Running_it_again_keeps_the_settings()
    {
        Assert.Equal(0, Install().ExitCode);
        File.WriteAllText(_machine.Combine("etc/mqtt-cluster/env"), "Mqtt__TcpPort=1884\n");
        File.WriteAllText(_machine.Combine("etc/mqtt-cluster/mosquitto.conf"), "port 1884\n");

        var again = Install();
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("Mqtt__TcpPort=1884\n", File.ReadAllText(_machine.Combine("etc/mqtt-cluster/env")));
        Assert.Equal("port 1884\n", File.ReadAllText(_machine.Combine("etc/mqtt-cluster/mosquitto.conf")));
    }

    [Fact]
    public void A_publish_without_the_broker_is_refused()
    {
        File.Delete(Path.Combine(_publish.Path, BrokerCommand.SiloExecutable));
        var result = Install();
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{BrokerCommand.SiloExecutable} is missing", result.Errors, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _machine.Dispose();
        _publish.Dispose();
    }

    private ToolResult Install() =>
        Tool.Run("bash", [Repository.PathOf("deploy/pi/install.sh"), "--from", _publish.Path, "--root", _machine.Path]);
}
