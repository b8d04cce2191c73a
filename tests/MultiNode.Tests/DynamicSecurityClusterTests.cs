using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MqttCluster.MultiNode.Tests.Fixtures;
using MqttCluster.MultiNode.Tests.Infrastructure;
using MQTTnet;
using Xunit.Abstractions;
using static MqttCluster.MultiNode.Tests.Fixtures.DynamicSecurityCluster;

namespace MqttCluster.MultiNode.Tests;

/// <summary>
/// Dynamic security across the cluster: mosquitto_ctrl talks to one gateway, the change applies to clients of the
/// other gateway at once (a disabled client there is disconnected), and it survives a restart of every node. The REST
/// API of one gateway lists, inspects and kicks clients and sessions of the other.
/// </summary>
public sealed class DynamicSecurityClusterTests(DynamicSecurityCluster cluster, ITestOutputHelper output)
    : ClusterTest<DynamicSecurityCluster>(cluster, output), IClassFixture<DynamicSecurityCluster>
{
    [Fact]
    public async Task A_change_made_on_one_gateway_applies_on_the_other_and_survives_a_cluster_restart()
    {
        await CtrlAsync(Cluster.GatewayA, "createClient", "mn-user", "-p", "mn-pw");
        await CtrlAsync(Cluster.GatewayA, "createRole", "mn-role");
        await CtrlAsync(Cluster.GatewayA, "addRoleACL", "mn-role", "subscribePattern", "mn/#", "allow");
        await CtrlAsync(Cluster.GatewayA, "addClientRole", "mn-user", "mn-role");

        // No waiting: the gateways have the change before mosquitto_ctrl gets its answer.
        var client = await ConnectAsync(Cluster.GatewayB, configure: o => o.WithCredentials("mn-user", "mn-pw"));
        await client.SubscribeAsync("mn/#");

        var disabling = Stopwatch.StartNew();
        await CtrlAsync(Cluster.GatewayA, "disableClient", "mn-user");
        var disconnected = await Within.Async(client.Disconnected, "the disabled client's DISCONNECT on the other gateway", context: Describe);
        Output.WriteLine($"disabled on gateway A, disconnected from gateway B {disabling.Elapsed.TotalMilliseconds:0} ms after mosquitto_ctrl started");
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, disconnected.Reason);
        await CtrlAsync(Cluster.GatewayB, "enableClient", "mn-user");

        var exitCodes = await Cluster.StopAllAsync();
        Assert.True(exitCodes.Values.All(code => code == 0), $"Every node should exit 0: {string.Join(", ", exitCodes.Select(e => $"{e.Key}={e.Value?.ToString(CultureInfo.InvariantCulture) ?? "killed"}"))}\n{Describe()}");
        await Cluster.StartAllAsync();

        var again = await ConnectAsync(Cluster.GatewayA, configure: o => o.WithCredentials("mn-user", "mn-pw"));
        await again.SubscribeAsync("mn/#");
        Assert.Equal(["Username: mn-user", "Clientid:", "Roles:    mn-role (priority: -1)"], await CtrlAsync(Cluster.GatewayB, "getClient", "mn-user"));
    }

    [Fact]
    public async Task A_role_that_loses_its_subscription_on_one_gateway_disconnects_its_client_on_the_other()
    {
        await CtrlAsync(Cluster.GatewayA, "createClient", "mn-watcher", "-p", "mn-pw");
        await CtrlAsync(Cluster.GatewayA, "createRole", "mn-watch");
        await CtrlAsync(Cluster.GatewayA, "addRoleACL", "mn-watch", "subscribePattern", "mn-watch/#", "allow");
        await CtrlAsync(Cluster.GatewayA, "addClientRole", "mn-watcher", "mn-watch");
        var watcher = await ConnectAsync(Cluster.GatewayB, configure: o => o.WithCredentials("mn-watcher", "mn-pw"));
        await watcher.SubscribeAsync("mn-watch/#");

        await CtrlAsync(Cluster.GatewayA, "removeRoleACL", "mn-watch", "subscribePattern", "mn-watch/#");

        var disconnected = await Within.Async(watcher.Disconnected, "the watcher's DISCONNECT on the other gateway after its role lost the subscription", context: Describe);
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, disconnected.Reason);
        var again = await ConnectAsync(Cluster.GatewayB, configure: o => o.WithCredentials("mn-watcher", "mn-pw"));
        var refused = await again.Mqtt.SubscribeAsync("mn-watch/#");
        Assert.Equal(MqttClientSubscribeResultCode.NotAuthorized, Assert.Single(refused.Items).ResultCode);
    }

    [Fact]
    public async Task The_rest_api_of_one_gateway_lists_inspects_and_kicks_a_client_of_the_other()
    {
        var clientId = MqttTestClient.NewClientId("mn-rest");
        var client = await ConnectAsync(Cluster.GatewayB, clientId: clientId,
            configure: o => o.WithCredentials(Admin, AdminPassword).WithCleanStart(false).WithSessionExpiryInterval(600));
        await client.SubscribeAsync("mn-rest/#");

        var listed = await GetJsonAsync(Cluster.GatewayA, $"/api/v1/clients?prefix={clientId}");
        Assert.Equal(1, listed["totalCount"]!.GetValue<int>());
        Assert.Equal(Admin, listed["clients"]![0]!["username"]!.GetValue<string>());
        var session = await GetJsonAsync(Cluster.GatewayA, $"/api/v1/sessions/{clientId}");
        Assert.True(session["connected"]!.GetValue<bool>() && session["persistent"]!.GetValue<bool>(), session.ToJsonString());
        Assert.Equal("mn-rest/#", Assert.Single(session["subscriptions"]!.AsArray())!["topicFilter"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(Cluster.GatewayA, HttpMethod.Delete, $"/api/v1/clients/{clientId}"));
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await Within.Async(client.Disconnected, "the kick from the other gateway's REST API", context: Describe)).Reason);
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(Cluster.GatewayA, HttpMethod.Delete, $"/api/v1/clients/{clientId}"));

        var offline = await GetJsonAsync(Cluster.GatewayB, $"/api/v1/sessions/{clientId}");
        Assert.False(offline["connected"]!.GetValue<bool>(), offline.ToJsonString());
        Assert.Equal(HttpStatusCode.NoContent, await SendAsync(Cluster.GatewayA, HttpMethod.Delete, $"/api/v1/sessions/{clientId}"));
        Assert.Equal(HttpStatusCode.NotFound, await SendAsync(Cluster.GatewayB, HttpMethod.Get, $"/api/v1/sessions/{clientId}"));
    }

    private static async Task<HttpStatusCode> SendAsync(NodeProcess gateway, HttpMethod method, string path)
    {
        using var response = await SendRequestAsync(gateway, method, path);
        return response.StatusCode;
    }

    private async Task<JsonNode> GetJsonAsync(NodeProcess gateway, string path)
    {
        using var response = await SendRequestAsync(gateway, HttpMethod.Get, path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} on {gateway.Name}: {(int)response.StatusCode} {body}\n{Describe()}");
        return JsonNode.Parse(body)!;
    }

    private static async Task<HttpResponseMessage> SendRequestAsync(NodeProcess gateway, HttpMethod method, string path)
    {
        using var http = new HttpClient { Timeout = MosquittoClients.Timeout };
        using var request = new HttpRequestMessage(method, new Uri(gateway.ManagementUrl!, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Admin}:{AdminPassword}")));
        return await http.SendAsync(request);
    }

    private async Task<IReadOnlyList<string>> CtrlAsync(NodeProcess gateway, params string[] arguments)
    {
        await using var ctrl = ChildProcess.Start("/usr/bin/mosquitto_ctrl",
            ["-h", "127.0.0.1", "-p", gateway.TcpPort.ToString(CultureInfo.InvariantCulture), "-u", Admin, "-P", AdminPassword, "dynsec", .. arguments]);
        await ctrl.AssertSucceedsAsync(MosquittoClients.Timeout, Describe);
        return [.. ctrl.Output.Lines.Where(l => l.Length > 0)];
    }
}
