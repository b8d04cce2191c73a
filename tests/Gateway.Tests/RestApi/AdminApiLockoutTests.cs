using System.Net;
using MqttCluster.Gateway.Admin;
using MqttCluster.Gateway.Tests.Infrastructure;
using static MqttCluster.Gateway.Tests.Infrastructure.DynamicSecurityBrokerFixture;

namespace MqttCluster.Gateway.Tests.RestApi;

/// <summary>Password guessing on the REST API is cut short per address.</summary>
public sealed class AdminApiLockoutTests(AdminApiLockoutBrokerFixture broker)
    : BrokerTest<AdminApiLockoutBrokerFixture>(broker), IClassFixture<AdminApiLockoutBrokerFixture>, IDisposable
{
    private readonly AdminHttp _http = new(broker);

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task After_too_many_failed_logins_even_the_right_password_gets_429()
    {
        for (var i = 0; i < FailedLoginLimiter.MaxFailures; i++)
        {
            using var failed = await _http.SendAsync(HttpMethod.Get, "/api/v1/clients", (AdminUser, $"guess-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var locked = await _http.SendAsync(HttpMethod.Get, "/api/v1/clients", (AdminUser, AdminPassword));

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.DoesNotContain(Broker.Log.Lines, l => l.Contains("guess-", StringComparison.Ordinal));
    }
}
