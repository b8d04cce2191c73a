using System.Net;
using System.Text.Json.Nodes;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.RestApi;

/// <summary>The REST API over real HTTP: who may use it, and what it does.</summary>
public sealed class AdminApiTests(DynamicSecurityBrokerFixture broker)
    : BrokerTest<DynamicSecurityBrokerFixture>(broker), IClassFixture<DynamicSecurityBrokerFixture>, IDisposable
{
    private static readonly (string, string) AdminLogin = (AdminUser, AdminPassword);
    private readonly AdminHttp _http = new(broker);

    public void Dispose() => _http.Dispose();

    [Theory]
    [InlineData("GET", "/api/v1/clients")]
    [InlineData("POST", "/api/v1/dynamic-security")]
    [InlineData("DELETE", "/api/v1/retained?topic=a")]
    public async Task Without_credentials_every_request_is_refused_with_401(string method, string path)
    {
        using var response = await _http.SendAsync(new HttpMethod(method), path, null, "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Wrong_passwords_file_users_and_non_administrators_are_refused()
    {
        using var wrong = await _http.SendAsync(HttpMethod.Get, "/api/v1/clients", (AdminUser, "wrong"));
        using var fileUser = await _http.SendAsync(HttpMethod.Get, "/api/v1/clients", (FileUser, FileUserPassword));
        using var viewer = await _http.SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", (Viewer, ViewerPassword), """{"commands":[{"command":"createClient","username":"x"}]}""");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, fileUser.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, viewer.StatusCode);
    }

    [Fact]
    public async Task Dynamic_security_commands_run_as_on_mqtt()
    {
        using var response = await _http.SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", AdminLogin,
            """{"commands":[{"command":"createClient","username":"rest-user","password":"pw"},{"command":"getClient","username":"rest-user"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"responses":[{"command":"createClient"},{"command":"getClient","data":{"client":{"username":"rest-user","roles":[],"groups":[]}}}]}""", await response.Content.ReadAsStringAsync());
        Assert.Contains(Broker.Log.Lines, l => l.Contains("changed by 'admin (REST API)': createClient username=rest-user", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dynamic_security_objects_are_read_as_resources()
    {
        using var create = await _http.SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", AdminLogin,
            """{"commands":[{"command":"createRole","rolename":"rest-role"},{"command":"createClient","username":"rest-reader","password":"pw","roles":[{"rolename":"rest-role","priority":3}]}]}""");
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);

        using var client = await _http.SendAsync(HttpMethod.Get, "/api/v1/dynamic-security/clients/rest-reader", AdminLogin);
        Assert.Equal("""{"client":{"username":"rest-reader","roles":[{"rolename":"rest-role","priority":3}],"groups":[]}}""", await client.Content.ReadAsStringAsync());
        using var roles = await _http.SendAsync(HttpMethod.Get, "/api/v1/dynamic-security/roles?count=1", AdminLogin);
        var page = JsonNode.Parse(await roles.Content.ReadAsStringAsync())!;
        Assert.Single(page["roles"]!.AsArray());
        Assert.True(page["totalCount"]!.GetValue<int>() >= 2, page.ToJsonString());
        using var access = await _http.SendAsync(HttpMethod.Get, "/api/v1/dynamic-security/default-acl-access", AdminLogin);
        Assert.Equal(4, JsonNode.Parse(await access.Content.ReadAsStringAsync())!["acls"]!.AsArray().Count);

        using var missing = await _http.SendAsync(HttpMethod.Get, "/api/v1/dynamic-security/clients/nobody", AdminLogin);
        Assert.Equal((HttpStatusCode.NotFound, "application/problem+json"), (missing.StatusCode, missing.Content.Headers.ContentType?.MediaType));
        Assert.Equal("Client not found", JsonNode.Parse(await missing.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
        using var unknown = await _http.SendAsync(HttpMethod.Get, "/api/v1/dynamic-security/things", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("not json", "Payload not valid JSON")]
    [InlineData("""{"command":"createClient","username":"rest-bad"}""", "Invalid/missing commands")]
    public async Task A_body_that_is_no_command_batch_is_refused_with_problem_details_and_changes_nothing(string body, string problem)
    {
        using var response = await _http.SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", AdminLogin, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(problem, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        using var check = await _http.SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", AdminLogin, """{"commands":[{"command":"getClient","username":"rest-bad"}]}""");
        Assert.Equal("""{"responses":[{"command":"getClient","error":"Client not found"}]}""", await check.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Clients_are_listed_and_one_is_disconnected()
    {
        var clientId = NewClientId("rest");
        var client = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500, clientId).WithCredentials(Viewer, ViewerPassword).Build());
        Assert.Equal(MqttClientConnectResultCode.Success, client.ConnectResult!.ResultCode);

        using var list = await _http.SendAsync(HttpMethod.Get, $"/api/v1/clients?prefix={clientId}", AdminLogin);
        var listed = JsonNode.Parse(await list.Content.ReadAsStringAsync())!;
        Assert.Equal(1, listed["totalCount"]!.GetValue<int>());
        Assert.Equal(Viewer, listed["clients"]![0]!["username"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(listed["clients"]![0]!["node"]!.GetValue<string>()));
        using var one = await _http.SendAsync(HttpMethod.Get, $"/api/v1/clients/{clientId}", AdminLogin);
        Assert.Equal(clientId, JsonNode.Parse(await one.Content.ReadAsStringAsync())!["clientId"]!.GetValue<string>());
        using var byUser = await _http.SendAsync(HttpMethod.Get, $"/api/v1/clients?prefix={clientId}&username=nobody", AdminLogin);
        Assert.Equal(0, JsonNode.Parse(await byUser.Content.ReadAsStringAsync())!["totalCount"]!.GetValue<int>());

        using var kick = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/clients/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await Within.Async(client.Disconnected, "the kicked client's DISCONNECT")).Reason);
        Assert.Contains(Broker.Log.Lines, l => l.Contains($"'admin' disconnected client '{clientId}'", StringComparison.Ordinal));

        // 204 is sent once the connection is gone from its gateway: it is neither listed nor disconnected again.
        using var after = await _http.SendAsync(HttpMethod.Get, $"/api/v1/clients?prefix={clientId}", AdminLogin);
        Assert.Equal(0, JsonNode.Parse(await after.Content.ReadAsStringAsync())!["totalCount"]!.GetValue<int>());

        using var gone = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/clients/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var notConnected = await _http.SendAsync(HttpMethod.Get, $"/api/v1/clients/{clientId}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, notConnected.StatusCode);
    }

    [Fact]
    public async Task A_message_is_published_to_subscribers()
    {
        var topic = $"allowed/{Guid.NewGuid():N}";
        var carol = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithCredentials(FileUser, FileUserPassword).Build());
        await carol.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        using var publish = await _http.SendAsync(HttpMethod.Post, $"/api/v1/publish?topic={Uri.EscapeDataString(topic)}&qos=1", AdminLogin, "from the API");

        Assert.Equal(HttpStatusCode.NoContent, publish.StatusCode);
        var received = await carol.Inbox.NextAsync("the message published through the REST API");
        Assert.Equal((topic, "from the API", MqttQualityOfServiceLevel.AtLeastOnce), (received.Topic, received.Text, received.QualityOfService));
        using var reserved = await _http.SendAsync(HttpMethod.Post, "/api/v1/publish?topic=%24SYS%2Fx", AdminLogin, "x");
        Assert.Equal(HttpStatusCode.BadRequest, reserved.StatusCode);
    }

    [Fact]
    public async Task Retained_messages_are_listed_read_and_deleted()
    {
        var topic = $"allowed/{Guid.NewGuid():N}";
        var carol = await TryConnectAsync(MqttProtocolVersion.V500, Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithCredentials(FileUser, FileUserPassword).Build());
        await carol.PublishAsync($"{topic}/a", "21.5", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        using var list = await _http.SendAsync(HttpMethod.Get, $"/api/v1/retained?filter={Uri.EscapeDataString(topic + "/#")}", AdminLogin);
        Assert.Equal($$"""{"totalCount":1,"messages":[{"topic":"{{topic}}/a","qos":1,"payload":"21.5","payloadBase64":"MjEuNQ=="}]}""", await list.Content.ReadAsStringAsync());

        using var delete = await _http.SendAsync(HttpMethod.Delete, $"/api/v1/retained?topic={Uri.EscapeDataString(topic + "/a")}", AdminLogin);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);

        using var gone = await _http.SendAsync(HttpMethod.Get, $"/api/v1/retained?topic={Uri.EscapeDataString(topic + "/a")}", AdminLogin);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var bad = await _http.SendAsync(HttpMethod.Get, "/api/v1/retained?filter=a/%23/b", AdminLogin);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
