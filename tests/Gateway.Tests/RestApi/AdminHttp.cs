using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Tests.RestApi;

/// <summary>Real HTTP requests to the REST API on a broker's management port.</summary>
public sealed class AdminHttp(BrokerFixture broker) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Within.DefaultTimeout };

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, (string User, string Password)? credentials, string? body = null)
    {
        var port = broker.Services.GetRequiredService<ManagementEndpoint>().EndPoint!.Port;
        using var request = new HttpRequestMessage(method, new Uri($"http://127.0.0.1:{port}{path}"));
        if (credentials is { } login)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.User}:{login.Password}")));
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();
}
