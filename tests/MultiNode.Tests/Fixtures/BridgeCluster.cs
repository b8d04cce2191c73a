using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>
/// Three grains-only silos (one is killed; two remain to vote it dead), a standalone gateway with dynamic security
/// and its REST API (administrator from Debian's <c>mosquitto_ctrl dynsec init</c>, a client <see cref="Publisher"/>
/// that may publish), and Debian's <c>mosquitto</c> as the remote of the bridges the tests define through the API.
/// </summary>
public sealed class BridgeCluster : ClusterFixture
{
    public const string Admin = "admin";
    public const string AdminPassword = "admin-secret";
    public const string Publisher = "publisher";
    public const string PublisherPassword = "publisher-secret";

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"multinode-bridges-{Guid.NewGuid():N}.json");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public MosquittoRemote Remote { get; private set; } = null!;

    public NodeProcess Gateway => Gateways[0];

    protected override int GrainSiloCount => 3;

    protected override int GatewayCount => 1;

    protected override string[] GatewayArguments => [$"--Security:DynamicSecurityFile={_file}", "--Security:AllowAnonymous=false"];

    public override async Task InitializeAsync()
    {
        DynsecFile.Create(_file, Admin, AdminPassword);
        Remote = await MosquittoRemote.StartAsync();
        await base.InitializeAsync();
        using var created = await SendAsync(HttpMethod.Post, "/api/v1/dynamic-security", $$"""
            {"commands":[
              {"command":"createRole","rolename":"publish","acls":[{"acltype":"publishClientSend","topic":"#","allow":true}]},
              {"command":"createClient","username":"{{Publisher}}","password":"{{PublisherPassword}}","roles":[{"rolename":"publish"}]}]}
            """);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Remote.DisposeAsync();
        _http.Dispose();
        File.Delete(_file);
    }

    /// <summary>A request to the gateway's REST API as the administrator.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null)
    {
        var baseUrl = Gateway.ManagementUrl ?? throw new InvalidOperationException($"{Gateway.Name} announced no management port.");
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Admin}:{AdminPassword}")));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await _http.SendAsync(request);
    }
}
