using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Core.Security;
using MqttCluster.Gateway.Hosting;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A broker with two listeners beside the default TCP one: "tenant" (mount point <c>tenant-a/</c>, maximum QoS 1,
/// anonymous clients allowed) and "members" (its own password file with user "dave", no anonymous clients). Payloads
/// above <see cref="MessageSizeLimit"/> bytes are refused everywhere.
/// </summary>
public sealed class ListenersBrokerFixture : BrokerFixture
{
    public const string MountPoint = "tenant-a/";
    public const int MessageSizeLimit = 64;
    public const string Username = "dave";
    public const string Password = "dave-secret";

    private readonly string _directory = Directory.CreateTempSubdirectory("mqtt-listeners-").FullName;

    public IPEndPoint TenantEndPoint { get; private set; } = null!;

    public IPEndPoint MembersEndPoint { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var bound = Services.GetRequiredService<GatewayEndpoints>().All;
        TenantEndPoint = bound.Single(b => b.Listener.Name == "listener 0").EndPoint!;
        MembersEndPoint = bound.Single(b => b.Listener.Name == "listener 1").EndPoint!;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        var passwords = new PasswordFile();
        passwords.Upsert(Username, Password);
        var passwordFile = Path.Combine(_directory, "passwd");
        passwords.Save(passwordFile);

        settings["Security:AllowAnonymous"] = "true";
        settings["Mqtt:MessageSizeLimit"] = $"{MessageSizeLimit}";
        settings["Mqtt:Listeners:0:Port"] = "0";
        settings["Mqtt:Listeners:0:MountPoint"] = MountPoint;
        settings["Mqtt:Listeners:0:MaximumQoS"] = "1";
        settings["Mqtt:Listeners:1:Port"] = "0";
        settings["Mqtt:Listeners:1:Security:AllowAnonymous"] = "false";
        settings["Mqtt:Listeners:1:Security:PasswordFile"] = passwordFile;
    }
}
