using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Gateway.Tests.RestApi;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// <c>/api/v1/bridges</c> over real HTTP, with a real Mosquitto as the remote: a bridge added, changed, stopped,
/// started and removed without a restart, kept across one, and who may do it.
/// </summary>
public sealed class BridgeAdminApiTests(BridgeAdminBrokerFixture broker)
    : BrokerTest<BridgeAdminBrokerFixture>(broker), IClassFixture<BridgeAdminBrokerFixture>, IDisposable
{
    private static readonly (string, string) AdminLogin = (AdminUser, AdminPassword);
    private readonly AdminHttp _http = new(broker);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Only_administrators_may_list_or_change_bridges()
    {
        var name = NewBridgeName();
        using var anonymous = await _http.SendAsync(HttpMethod.Get, "/api/v1/bridges", null);
        using var wrong = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", (AdminUser, "wrong"), Definition("a/", "b/"));
        using var viewer = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", (Viewer, ViewerPassword), Definition("a/", "b/"));
        using var viewerStop = await _http.SendAsync(HttpMethod.Post, $"/api/v1/bridges/{Broker.ConfiguredBridgeName}/stop", (Viewer, ViewerPassword));

        Assert.Equal(
            (HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            (anonymous.StatusCode, wrong.StatusCode, viewer.StatusCode, viewerStop.StatusCode));
        using var notAdded = await _http.SendAsync(HttpMethod.Get, $"/api/v1/bridges/{name}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, notAdded.StatusCode);
    }

    [Fact]
    public async Task A_bridge_is_added_changed_stopped_started_and_removed_without_a_restart()
    {
        var name = NewBridgeName();
        var local = $"{name}/";
        var remote = await RemoteSubscriberAsync($"{name}/#");
        var publisher = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500, configure: o => o.WithCredentials(FileUser, FileUserPassword));

        using var added = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", AdminLogin, Definition(local, $"{name}/one/"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var shown = JsonNode.Parse(await added.Content.ReadAsStringAsync())!;
        Assert.Equal(("api", true), (shown["source"]!.GetValue<string>(), shown["running"]!.GetValue<bool>()));
        Assert.Null(shown["options"]!["remotePassword"]);
        await WaitForAsync(name, connected: true);
        await publisher.PublishAsync($"allowed/{local}x", "first", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(($"{name}/one/x", "first"), Read(await remote.Inbox.NextAsync("the first message across the added bridge")));

        using var changed = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", AdminLogin, Definition(local, $"{name}/two/"));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await WaitForAsync(name, connected: true);
        await publisher.PublishAsync($"allowed/{local}x", "second", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(($"{name}/two/x", "second"), Read(await remote.Inbox.NextAsync("a message across the changed bridge, with its new prefix")));

        using var stop = await _http.SendAsync(HttpMethod.Post, $"/api/v1/bridges/{name}/stop", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, stop.StatusCode);
        var stopped = await GetAsync(name);
        Assert.Equal((false, false), (stopped["running"]!.GetValue<bool>(), stopped["connected"]!.GetValue<bool>()));
        await publisher.PublishAsync($"allowed/{local}x", "while-stopped", MqttQualityOfServiceLevel.AtLeastOnce);

        using var start = await _http.SendAsync(HttpMethod.Post, $"/api/v1/bridges/{name}/start", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, start.StatusCode);
        await WaitForAsync(name, connected: true);
        await publisher.PublishAsync($"allowed/{local}x", "started-again", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(["started-again"], (await remote.Inbox.UntilMarkerAsync("started-again")).Select(m => m.Text));

        using var listed = await _http.SendAsync(HttpMethod.Get, "/api/v1/bridges", AdminLogin);
        var bridges = JsonNode.Parse(await listed.Content.ReadAsStringAsync())!["bridges"]!.AsArray();
        Assert.Contains(bridges, b => b!["name"]!.GetValue<string>() == name && b["source"]!.GetValue<string>() == "api");

        using var removed = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/bridges/{name}", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var gone = await _http.SendAsync(HttpMethod.Get, $"/api/v1/bridges/{name}", AdminLogin);
        using var goneStop = await _http.SendAsync(HttpMethod.Post, $"/api/v1/bridges/{name}/stop", AdminLogin);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (gone.StatusCode, goneStop.StatusCode));
        foreach (var action in new[] { "added", "changed", "stopped", "started", "removed" })
        {
            Assert.Contains(Broker.Log.Lines, l => l.Contains($"REST API: 'admin' {action} bridge '{name}'", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_bridge_added_through_the_api_runs_again_after_a_restart()
    {
        var name = NewBridgeName();
        var remote = await RemoteSubscriberAsync($"{name}/#");
        using var added = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", AdminLogin, Definition($"{name}/", $"{name}/kept/"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);

        await Broker.RestartAsync();

        await WaitForAsync(name, connected: true);
        var publisher = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500, configure: o => o.WithCredentials(FileUser, FileUserPassword));
        await publisher.PublishAsync($"allowed/{name}/x", "after-restart", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(($"{name}/kept/x", "after-restart"), Read(await remote.Inbox.NextAsync("a message across the bridge kept across the restart")));
    }

    [Fact]
    public async Task Invalid_definitions_are_refused_with_400_and_change_nothing()
    {
        var name = NewBridgeName();
        string[] bodies =
        [
            "{",
            """{"Addresses":["127.0.0.1:1883"],"NoSuchOption":1}""",
            """{"Addresses":["no-port"]}""",
            """{"Addresses":["127.0.0.1:1883"],"Topics":[{"Pattern":"a/#","Qos":3}]}""",
            """{"Addresses":["127.0.0.1:1883"],"ProtocolVersion":"mqttv6"}""",
        ];
        foreach (var body in bodies)
        {
            using var refused = await _http.SendAsync(HttpMethod.Put, $"/api/v1/bridges/{name}", AdminLogin, body);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{body} got {refused.StatusCode}: {await refused.Content.ReadAsStringAsync()}");
        }

        using var badName = await _http.SendAsync(HttpMethod.Put, "/api/v1/bridges/a%20b", AdminLogin, Definition("a/", "b/"));
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        using var notAdded = await _http.SendAsync(HttpMethod.Get, $"/api/v1/bridges/{name}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, notAdded.StatusCode);
    }

    [Fact]
    public async Task A_bridge_of_the_configuration_is_listed_but_changed_there()
    {
        await WaitForAsync(Broker.ConfiguredBridgeName, connected: true);
        var configured = await GetAsync(Broker.ConfiguredBridgeName);
        Assert.Equal(("configuration", true), (configured["source"]!.GetValue<string>(), configured["running"]!.GetValue<bool>()));
        Assert.Null(configured["options"]);

        using var delete = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/bridges/{Broker.ConfiguredBridgeName}", AdminLogin);
        using var stop = await _http.SendAsync(HttpMethod.Post, $"/api/v1/bridges/{Broker.ConfiguredBridgeName}/stop", AdminLogin);
        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (delete.StatusCode, stop.StatusCode));
        Assert.True((await GetAsync(Broker.ConfiguredBridgeName))["running"]!.GetValue<bool>());
    }

    private static string NewBridgeName() => $"api-{Guid.NewGuid():N}"[..12];

    /// <summary>A bridge in the native option shape: local <c>allowed/PREFIX#</c> out to <c>REMOTE#</c>, QoS 1.</summary>
    private string Definition(string localPrefix, string remotePrefix) => $$"""
        {
          "Addresses": [ "127.0.0.1:{{Broker.Remote.Port.ToString(CultureInfo.InvariantCulture)}}" ],
          "RemoteClientId": "{{localPrefix.TrimEnd('/')}}",
          "RemoteUsername": "bridge", "RemotePassword": "not-shown",
          "RestartTimeout": "00:00:00.200", "RestartTimeoutCap": "00:00:01",
          "Topics": [ { "Pattern": "#", "Direction": "out", "Qos": 1, "LocalPrefix": "allowed/{{localPrefix}}", "RemotePrefix": "{{remotePrefix}}" } ]
        }
        """;

    private async Task<TestClient> RemoteSubscriberAsync(string filter)
    {
        var client = await TryConnectAsync(MqttProtocolVersion.V500, Broker.Remote.ClientOptions(MqttProtocolVersion.V500, NewClientId("r"), cleanSession: true));
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);
        await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        return client;
    }

    private async Task<JsonNode> GetAsync(string name)
    {
        using var response = await _http.SendAsync(HttpMethod.Get, $"/api/v1/bridges/{name}", AdminLogin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET bridge {name}: {response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private Task WaitForAsync(string name, bool connected) => Within.PollAsync(
        async () => (await GetAsync(name))["connected"]!.GetValue<bool>() == connected,
        $"bridge '{name}' to be {(connected ? "connected" : "disconnected")} according to the API\n{Broker.Log.Tail(15)}",
        TimeSpan.FromSeconds(20),
        TimeSpan.FromMilliseconds(50));

    private static (string Topic, string Text) Read(ReceivedMessage message) => (message.Topic, message.Text);
}
