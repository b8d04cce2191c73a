using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using MqttCluster.EndToEnd.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The status page's administrator actions in Debian's headless Chromium, against a broker with dynamic security
/// made by mosquitto_ctrl: a wrong password is refused and offers no action; the administrator logs in, finds and
/// kicks an MQTTnet client and deletes a retained message it published, through the REST API behind the same login.
/// </summary>
public sealed class StatusPageActionsTests(DynamicSecurityTests.Fixture fixture) : BrokerTest(fixture), IClassFixture<DynamicSecurityTests.Fixture>
{
    private const string Admin = "admin";
    private const string AdminPassword = "admin-secret";

    [Fact]
    public async Task An_administrator_logs_in_kicks_a_client_and_deletes_a_retained_message()
    {
        var clientId = $"page-{Guid.NewGuid():N}"[..20];
        var topic = $"page/{Guid.NewGuid():N}/temperature";
        await MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, "createRole", "page-writer");
        await MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, "addRoleACL", "page-writer", "publishClientSend", "page/#", "allow");
        await MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, "createClient", "page-device", "-p", "device-pw");
        await MosquittoCtrl.DynsecAsync(Broker, Admin, AdminPassword, "addClientRole", "page-device", "page-writer");
        await using var device = await RecordingMqttClient.ConnectAsync(Broker, "page-device", "device-pw", clientId);
        Assert.Equal(MqttClientConnectResultCode.Success, device.ConnectResultCode);
        await device.Mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("21.5")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag().Build());

        await using var page = await HeadlessChromium.OpenAsync($"http://127.0.0.1:{Broker.ManagementPort}/");
        // Gateways report every two seconds; the page polls as often.
        await page.WaitForAsync($"document.querySelector('#clients').textContent.includes('{clientId}')", "list the connected client");
        Assert.Equal(0, (await page.EvaluateAsync("document.querySelectorAll('button.kick').length"))!.GetValue<int>());

        await LogInAsync(page, "wrong-password");
        await page.WaitForAsync("document.querySelector('#action-result').textContent.startsWith('login refused')", "refuse the wrong password");
        Assert.True((await page.EvaluateAsync("document.querySelector('#admin').hidden"))!.GetValue<bool>());

        await LogInAsync(page, AdminPassword);
        await page.WaitForAsync($"document.querySelector('#clients button.kick[data-target=\"{clientId}\"]') !== null", "offer to kick the listed client after the login");

        // Any client of the cluster, beyond the sample each gateway reports: found by its id, kicked from the result.
        await page.EvaluateAsync($"document.querySelector('#client-prefix').value = '{clientId}'; document.querySelector('#client-search').requestSubmit()");
        await page.WaitForAsync($"document.querySelector('#client-results button.kick[data-target=\"{clientId}\"]') !== null", "find the client");
        Assert.Equal("page-device", (await page.EvaluateAsync("document.querySelector('#client-results td:nth-child(2)').textContent"))!.GetValue<string>());
        await page.EvaluateAsync($"document.querySelector('#client-results button.kick[data-target=\"{clientId}\"]').click()");

        Assert.Equal(MqttClientDisconnectReason.AdministrativeAction, (await device.WaitDisconnectedAsync("after 'kick' on the status page")).Reason);
        await page.WaitForAsync($"document.querySelector('#action-result').textContent === 'disconnected {clientId}'", "report the kick");

        await page.EvaluateAsync($"document.querySelector('#retained-filter').value = 'page/#'; document.querySelector('#retained-form').requestSubmit()");
        await page.WaitForAsync($"document.querySelector('button.delete[data-target=\"{topic}\"]') !== null", "list the retained message");
        await page.EvaluateAsync($"document.querySelector('button.delete[data-target=\"{topic}\"]').click()");
        await page.WaitForAsync($"document.querySelector('#action-result').textContent === 'deleted the retained message of {topic}'", "report the deletion");

        Assert.Equal(HttpStatusCode.NotFound, await RetainedStatusAsync(topic));
        Assert.Contains(Broker.Log.Lines, l => l.Contains($"'admin' deleted the retained message of '{topic}'", StringComparison.Ordinal));
        Assert.Contains(Broker.Log.Lines, l => l.Contains($"'admin' disconnected client '{clientId}'", StringComparison.Ordinal));
    }

    private static Task LogInAsync(HeadlessChromium page, string password) =>
        page.EvaluateAsync($$"""
            document.querySelector('#login-user').value = '{{Admin}}';
            document.querySelector('#login-password').value = '{{password}}';
            document.querySelector('#login').requestSubmit();
            """);

    private async Task<HttpStatusCode> RetainedStatusAsync(string topic)
    {
        using var http = new HttpClient { Timeout = HeadlessChromium.Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{Broker.ManagementPort}/api/v1/retained?topic={Uri.EscapeDataString(topic)}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Admin}:{AdminPassword}")));
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
