using System.Net.Http;
using MqttCluster.EndToEnd.Tests.Infrastructure;

namespace MqttCluster.EndToEnd.Tests;

/// <summary>
/// The live status page on the management port, rendered by a real browser (Debian's headless Chromium): the
/// page's script fetches <c>/api/status</c> and must show the node and a client this test connected.
/// </summary>
public sealed class StatusPageTests(BrokerFixture fixture) : BrokerTest(fixture), IClassFixture<BrokerFixture>
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly MosquittoClients _clients = new(fixture.Broker);

    [Fact]
    public async Task The_page_shows_the_node_and_a_connected_client()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install the Debian package chromium (test.sh does).");
        var clientId = $"status-page-{Guid.NewGuid():N}";
        await using var subscriber = _clients.StartSubscriber("-t", "status-page/#", "-i", clientId);
        await WaitForStatusAsync(clientId);

        using var profile = new TempDirectory("chromium");
        await using var browser = ClientProcess.Start(Chromium,
        [
            "--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile.Path}",
            "--virtual-time-budget=8000", "--dump-dom", $"http://127.0.0.1:{Broker.ManagementPort}/",
        ]);
        await browser.AssertSucceedsAsync(Deadline, Broker.Describe);
        var dom = string.Join('\n', browser.Output.Lines);

        Assert.True(dom.Contains("id=\"gateway-count\">1<", StringComparison.Ordinal), $"The page does not show one gateway.\n{dom}");
        Assert.True(dom.Contains("id=\"silo-count\">1<", StringComparison.Ordinal), $"The page does not show one silo.\n{dom}");
        Assert.True(dom.Contains($">{clientId}<", StringComparison.Ordinal), $"The page does not list the client {clientId}.\n{dom}");
    }

    [Fact]
    public async Task The_page_and_its_api_are_served_only_on_the_management_port()
    {
        using var http = new HttpClient { Timeout = Deadline };
        var page = await http.GetStringAsync(new Uri($"http://127.0.0.1:{Broker.ManagementPort}/"));
        Assert.Contains("status.js", page, StringComparison.Ordinal);

        var onWebSocketPort = await http.GetAsync(new Uri($"http://127.0.0.1:{Broker.WebSocketPort}/api/status"));
        Assert.NotEqual(System.Net.HttpStatusCode.OK, onWebSocketPort.StatusCode);
    }

    /// <summary>Gateways report every two seconds: waits until the status API lists the client.</summary>
    private async Task WaitForStatusAsync(string clientId)
    {
        using var http = new HttpClient { Timeout = Deadline };
        var url = new Uri($"http://127.0.0.1:{Broker.ManagementPort}/api/status");
        var deadline = DateTime.UtcNow + Deadline;
        var last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            last = await http.GetStringAsync(url);
            if (last.Contains($"\"{clientId}\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"/api/status did not list the client {clientId} within {Deadline.TotalSeconds} s. Last answer:\n{last}\n{Broker.Describe()}");
    }
}
