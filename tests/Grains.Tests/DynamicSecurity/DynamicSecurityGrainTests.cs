using System.Text;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Grains.Tests.DynamicSecurity;

/// <summary>The cluster's dynamic-security state: first-start import, changes pushed to every registered gateway,
/// and the state kept across a restart of the whole cluster.</summary>
public sealed class DynamicSecurityGrainTests
{
    private const string InitialDocument = """
        {"clients":[{"username":"admin","roles":[{"rolename":"admin"}]}],
         "roles":[{"rolename":"admin","acls":[{"acltype":"publishClientSend","topic":"$CONTROL/dynamic-security/#","allow":true}]}]}
        """;

    [Fact]
    public async Task A_change_reaches_every_registered_gateway_and_survives_a_cluster_restart()
    {
        var cluster = await BrokerTestCluster.StartAsync(silos: 2);
        try
        {
            var grain = cluster.Client.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key);
            Assert.True(await grain.ImportIfEmptyAsync(InitialDocument, "test"));
            Assert.False(await grain.ImportIfEmptyAsync("{}", "test again"));

            var gatewayA = new RecordingDynamicSecurityObserver();
            var gatewayB = new RecordingDynamicSecurityObserver();
            var referenceA = cluster.Client.CreateObjectReference<IDynamicSecurityObserver>(gatewayA);
            var referenceB = cluster.Client.CreateObjectReference<IDynamicSecurityObserver>(gatewayB);
            Assert.Equal(1, await grain.SubscribeAsync(referenceA));
            Assert.Equal(1, await grain.SubscribeAsync(referenceB));

            var response = await grain.ExecuteAsync(Encoding.UTF8.GetBytes("""{"commands":[{"command":"createClient","username":"alice","password":"pw"},{"command":"disableClient","username":"alice"}]}"""), "admin");

            Assert.Equal("""{"responses":[{"command":"createClient"},{"command":"disableClient"}]}""", response.Response);
            Assert.Equal(2, response.Version);
            foreach (var gateway in new[] { gatewayA, gatewayB })
            {
                var update = await gateway.NextAsync("after createClient + disableClient");
                Assert.Equal(2, update.Snapshot.Version);
                Assert.Equal(["alice"], update.KickedUsernames);
                Assert.True(DynsecDocument.Parse(update.Snapshot.Document!).Clients["alice"].Disabled);
            }

            var unchanged = await grain.ExecuteAsync(Encoding.UTF8.GetBytes("""{"commands":[{"command":"listClients"}]}"""), "admin");
            Assert.Equal(2, unchanged.Version);
        }
        finally
        {
            await cluster.DisposeAsync();
        }

        var restarted = await BrokerTestCluster.StartAsync(silos: 1, cluster.DataDirectory);
        try
        {
            var snapshot = await restarted.Client.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key).GetSnapshotAsync();

            Assert.Equal(2, snapshot.Version);
            var state = DynsecDocument.Parse(snapshot.Document!);
            Assert.True(state.Clients["alice"].Password!.Verify("pw"u8));
            Assert.Equal(["admin", "alice"], state.Clients.Keys);
        }
        finally
        {
            await restarted.DisposeAsync();
            restarted.DeleteData();
        }
    }
}
