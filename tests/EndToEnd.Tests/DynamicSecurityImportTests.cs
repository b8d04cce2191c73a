using System.Runtime.Versioning;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// A Mosquitto 2.0 operator moves over: Debian's Mosquitto with its dynamic-security plugin writes the
/// dynamic-security.json (mosquitto_ctrl makes the changes, the plugin saves them with its own password hashes), then
/// our broker starts on the same mosquitto.conf lines and the same file, and the same clients and rules work.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DynamicSecurityImportTests : IDisposable
{
    private const string Mosquitto = "/usr/sbin/mosquitto";
    private const string Plugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    private const string Admin = "admin";
    private const string AdminPassword = "admin-secret";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _directory = new("dynsec-import");

    [Fact]
    public async Task A_dynamic_security_json_written_by_mosquitto_is_imported_with_its_clients_groups_roles_and_hashes()
    {
        var file = Path.Combine(_directory.Path, "dynamic-security.json");
        MosquittoCtrl.Init(file, Admin, AdminPassword);

        // Started as root, Mosquitto drops to the user "mosquitto", which must still be able to save the file.
        const UnixFileMode everyone = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        File.SetUnixFileMode(_directory.Path, everyone | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(file, everyone);
        var ports = FreePorts.Take(2);
        string[] Conf(int port) => [$"listener {port} 127.0.0.1", $"plugin {Plugin}", $"plugin_opt_config_file {file}", "allow_anonymous false"];

        var mosquittoConf = Path.Combine(_directory.Path, "real-mosquitto.conf");
        await File.WriteAllLinesAsync(mosquittoConf, [.. Conf(ports[0]), "log_dest stderr", "log_type all"]);
        await using (var mosquitto = ClientProcess.Start(Mosquitto, ["-c", mosquittoConf]))
        {
            var running = await mosquitto.Errors.WaitForLineAsync(l => l.Contains("running", StringComparison.Ordinal), Timeout);
            Assert.True(running is not null, $"mosquitto did not start.\n{mosquitto.Describe()}");
            foreach (var command in new[]
            {
                new[] { "createClient", "sensor", "-p", "sensor-pw", "-c", "sensor-1" },
                ["createRole", "writers"],
                ["addRoleACL", "writers", "publishClientSend", "plant/%c/#", "allow", "3"],
                ["createGroup", "field"],
                ["addGroupRole", "field", "writers", "2"],
                ["addGroupClient", "field", "sensor"],
                ["createClient", "retired", "-p", "retired-pw"],
                ["disableClient", "retired"],
            })
            {
                await CtrlAsync(ports[0], command, mosquitto.Describe);
            }

            mosquitto.Interrupt();
            await mosquitto.WaitForExitAsync(Timeout);
        }

        await using var broker = await MosquittoConfBroker.StartAsync(_directory.Path, Conf(ports[1]));

        Assert.Equal(["Username: sensor", "Clientid: sensor-1", "Groups:   field (priority: -1)"], await CtrlAsync(ports[1], ["getClient", "sensor"], broker.Describe));
        Assert.Equal(["Rolename: writers", "ACLs:     publishClientSend    : allow : plant/%c/# (priority: 3)"], await CtrlAsync(ports[1], ["getRole", "writers"], broker.Describe));
        Assert.Equal(0, await PublishAsync(ports[1], "sensor", "sensor-pw", "sensor-1", "plant/sensor-1/temp", broker.Describe));
        Assert.NotEqual(0, await PublishAsync(ports[1], "sensor", "wrong", "sensor-1", "plant/sensor-1/temp", broker.Describe));
        Assert.NotEqual(0, await PublishAsync(ports[1], "retired", "retired-pw", "retired", "plant/retired/temp", broker.Describe));
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<IReadOnlyList<string>> CtrlAsync(int port, string[] arguments, Func<string> describe)
    {
        await using var ctrl = ClientProcess.Start(MosquittoCtrl.Command, ["-h", "127.0.0.1", "-p", $"{port}", "-u", Admin, "-P", AdminPassword, "dynsec", .. arguments]);
        await ctrl.AssertSucceedsAsync(MosquittoClients.Timeout, describe);
        // Answers on stdout, errors on stderr (after its warning about a connection without TLS).
        return [.. ctrl.Output.Lines.Concat(ctrl.Errors.Lines.Where(l => l.Contains("Error", StringComparison.Ordinal))).Where(l => l.Length > 0)];
    }

    /// <summary>mosquitto_pub's exit code: 0 once the broker accepted the login and the QoS 1 message.</summary>
    private static async Task<int> PublishAsync(int port, string username, string password, string clientId, string topic, Func<string> describe)
    {
        await using var publisher = ClientProcess.Start(MosquittoClients.PublishCommand,
            ["-h", "127.0.0.1", "-p", $"{port}", "-V", "5", "-u", username, "-P", password, "-i", clientId, "-t", topic, "-q", "1", "-m", "21.5"]);
        return await publisher.WaitForExitAsync(MosquittoClients.Timeout, describe);
    }
}
