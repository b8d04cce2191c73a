using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>Talks HTTP to a broker's management port: health, readiness and the Prometheus scrape.</summary>
public sealed partial class ManagementClient(BrokerFixture broker) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Within.DefaultTimeout };

    public IPEndPoint EndPoint => broker.Services.GetRequiredService<ManagementEndpoint>().EndPoint
        ?? throw new InvalidOperationException("The management port is not listening.");

    public Task<HttpResponseMessage> GetAsync(string path, int? port = null) =>
        _http.GetAsync(new Uri($"http://127.0.0.1:{port ?? EndPoint.Port}{path}"));

    /// <summary>The sum of every sample of <paramref name="metric"/> whose labels include <paramref name="label"/>
    /// (e.g. <c>mqtt_qos="1"</c>), from a fresh scrape; 0 when absent.</summary>
    public async Task<double> ScrapeAsync(string metric, string? label = null)
    {
        var text = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{EndPoint.Port}{ManagementEndpoints.MetricsPath}"));
        return Sample().Matches(text)
            .Where(m => m.Groups["name"].Value == metric && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>Scrapes until <paramref name="metric"/> reaches <paramref name="atLeast"/> (the exporter caches
    /// scrapes briefly, and counters are updated as work completes).</summary>
    public Task<double> WaitForAsync(string metric, string? label, double atLeast) =>
        WaitUntilAsync(metric, label, v => v >= atLeast, $">= {atLeast}");

    public async Task<double> WaitUntilAsync(string metric, string? label, Func<double, bool> condition, string expected)
    {
        var value = double.NaN;
        try
        {
            await Within.PollAsync(
                async () => condition(value = await ScrapeAsync(metric, label)),
                $"{metric}{{{label}}} {expected}",
                Within.DefaultTimeout,
                TimeSpan.FromMilliseconds(100));
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"{timeout.Message} Last scrape: {value}.", timeout);
        }

        return value;
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();
}
