using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.Security;

/// <summary>Dynamic-security changes live in the cluster's storage: a restarted broker keeps them and does not import
/// its dynamic-security.json over them.</summary>
public sealed class DynamicSecurityRestartTests(DynamicSecurityRestartBrokerFixture broker)
    : BrokerTest<DynamicSecurityRestartBrokerFixture>(broker), IClassFixture<DynamicSecurityRestartBrokerFixture>
{
    [Fact]
    public async Task A_client_created_at_run_time_logs_in_after_a_restart()
    {
        var admin = await ConnectAsync(AdminUser, AdminPassword);
        await admin.SubscribeAsync("$CONTROL/dynamic-security/v1/response");
        await admin.PublishAsync(DynamicSecurityControlTests.Command("""{"commands":[{"command":"createClient","username":"erin","password":"pw"}]}"""));
        Assert.Equal("""{"responses":[{"command":"createClient"}]}""", (await admin.Inbox.NextAsync("the createClient response")).Text);

        await Broker.RestartAsync();

        await ConnectAsync("erin", "pw");
        await ConnectAsync(AdminUser, AdminPassword);
    }

    private async Task<TestClient> ConnectAsync(string username, string password)
    {
        var client = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithCredentials(username, password).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        return client;
    }
}
