using System.Net;
using System.Text.Json.Nodes;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.RestApi;

/// <summary>Sessions and subscriptions through the REST API, over real HTTP, with MQTTnet clients holding them.</summary>
public sealed class SessionAdminApiTests(DynamicSecurityBrokerFixture broker)
    : BrokerTest<DynamicSecurityBrokerFixture>(broker), IClassFixture<DynamicSecurityBrokerFixture>, IDisposable
{
    private static readonly (string, string) AdminLogin = (AdminUser, AdminPassword);
    private readonly AdminHttp _http = new(broker);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task A_clean_sessions_subscriptions_are_shown_from_its_connection()
    {
        var clientId = NewClientId("rest-c");
        var filter = $"allowed/{Guid.NewGuid():N}/+";
        var carol = await ConnectAsync(clientId: clientId, configure: o => o.WithCredentials(FileUser, FileUserPassword));
        await carol.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);

        var session = await GetJsonAsync($"/api/v1/sessions/{clientId}");

        Assert.Equal((true, false), (session["connected"]!.GetValue<bool>(), session["persistent"]!.GetValue<bool>()));
        var subscription = Assert.Single(session["subscriptions"]!.AsArray())!;
        Assert.Equal((filter, 1), (subscription["topicFilter"]!.GetValue<string>(), subscription["qos"]!.GetValue<int>()));
    }

    [Fact]
    public async Task An_offline_persistent_session_shows_its_subscriptions_and_queue_and_is_deleted()
    {
        var clientId = NewClientId("rest-s");
        var filter = $"allowed/{Guid.NewGuid():N}/#";
        var carol = await ConnectAsync(clientId: clientId, configure: o => o.WithCredentials(FileUser, FileUserPassword).WithPersistentSession(MqttProtocolVersion.V500));
        await carol.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        await carol.DisconnectAsync();

        // The client's DISCONNECT is sent; the session is offline once its gateway handed it back.
        JsonNode session = null!;
        await Within.PollAsync(async () =>
        {
            session = await GetJsonAsync($"/api/v1/sessions/{clientId}");
            return !session["connected"]!.GetValue<bool>();
        }, "the session to be offline", Within.DefaultTimeout, TimeSpan.FromMilliseconds(50));

        using var publish = await _http.SendAsync(HttpMethod.Post, $"/api/v1/publish?topic={Uri.EscapeDataString(filter.TrimEnd('#') + "t")}&qos=1", AdminLogin, "for later");
        Assert.Equal(HttpStatusCode.NoContent, publish.StatusCode);

        // The topic grain hands the message to the offline session after it accepted the publish.
        await Within.PollAsync(async () =>
        {
            session = await GetJsonAsync($"/api/v1/sessions/{clientId}");
            return session["queuedMessages"]!.GetValue<int>() == 1;
        }, "the offline session's queue to hold the published message", Within.DefaultTimeout, TimeSpan.FromMilliseconds(100));
        Assert.False(session["connected"]!.GetValue<bool>());
        Assert.True(session["persistent"]!.GetValue<bool>());
        Assert.Equal(PersistentSession.Expiry, session["sessionExpiryInterval"]!.GetValue<uint>());
        var subscription = Assert.Single(session["subscriptions"]!.AsArray())!;
        Assert.Equal((filter, 1), (subscription["topicFilter"]!.GetValue<string>(), subscription["qos"]!.GetValue<int>()));

        var listed = await GetJsonAsync($"/api/v1/sessions?prefix={clientId}");
        Assert.Equal(1, listed["totalCount"]!.GetValue<int>());
        Assert.Equal((clientId, false, true), (listed["sessions"]![0]!["clientId"]!.GetValue<string>(), listed["sessions"]![0]!["connected"]!.GetValue<bool>(), listed["sessions"]![0]!["persistent"]!.GetValue<bool>()));

        var routes = await GetJsonAsync($"/api/v1/subscriptions?prefix={Uri.EscapeDataString(filter)}");
        Assert.Equal([clientId], routes["subscriptions"]![0]!["offlineSessions"]!.AsArray().Select(c => c!.GetValue<string>()));

        using var delete = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Contains(Broker.Log.Lines, l => l.Contains($"'admin' deleted the session of '{clientId}'", StringComparison.Ordinal));
        using var gone = await _http.SendAsync(HttpMethod.Get, $"/api/v1/sessions/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);

        var back = await ConnectAsync(clientId: clientId, configure: o => o.WithCredentials(FileUser, FileUserPassword).WithPersistentSession(MqttProtocolVersion.V500));
        Assert.False(back.ConnectResult!.IsSessionPresent);
    }

    [Fact]
    public async Task A_connected_session_is_shown_with_its_connection_and_deleting_it_takes_the_client_id_over()
    {
        var clientId = NewClientId("rest-c");
        var carol = await ConnectAsync(clientId: clientId, configure: o => o.WithCredentials(FileUser, FileUserPassword));

        var session = await GetJsonAsync($"/api/v1/sessions/{clientId}");
        Assert.True(session["connected"]!.GetValue<bool>());
        Assert.False(session["persistent"]!.GetValue<bool>());
        Assert.Equal(FileUser, Assert.Single(session["connections"]!.AsArray())!["username"]!.GetValue<string>());

        using var delete = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, (await Within.Async(carol.Disconnected, "the DISCONNECT of the client whose session was deleted")).Reason);

        using var unknown = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{NewClientId("never")}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var anonymous = await _http.SendAsync(HttpMethod.Get, "/api/v1/sessions", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var viewer = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/sessions/{clientId}", (Viewer, ViewerPassword));
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
    }

    private async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await _http.SendAsync(HttpMethod.Get, path, AdminLogin);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }
}
