using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Silo.Hosting;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A single-node broker started in-process through the production composition root (<c>AddSingleNodeBroker</c> /
/// <c>MapSingleNodeBroker</c>, as Program.cs does), MQTT listeners on port 0, a fresh data directory. One per test
/// class; tests keep apart by unique client ids and topics.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "mqtt-gateway-tests", Guid.NewGuid().ToString("N"));
    private Dictionary<string, string?>? _settings;
    private WebApplication? _app;
    private bool _stopped;

    public LogCapture Log { get; } = new();

    public IPEndPoint TcpEndPoint { get; private set; } = null!;

    public IPEndPoint WebSocketEndPoint { get; private set; } = null!;

    /// <summary>The running broker's services (its grain factory, connected clients, clock).</summary>
    public IServiceProvider Services => _app?.Services ?? throw new InvalidOperationException("The broker is not running.");

    public virtual async Task InitializeAsync()
    {
        _settings = new Dictionary<string, string?>
        {
            ["Mqtt:BindAddress"] = "127.0.0.1",
            ["Mqtt:TcpPort"] = "0",
            ["Mqtt:WebSocketPort"] = "0",
            ["Management:Port"] = "0",
            ["Silo:ClusterId"] = $"gateway-tests-{Guid.NewGuid():N}",
            ["Silo:DataDirectory"] = _dataDirectory,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Orleans"] = "Warning",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        };
        Configure(_settings);
        await StartAppAsync();
    }

    /// <summary>
    /// Stops the broker as the host does on SIGTERM and starts a new one on the same data directory and cluster
    /// settings, as a restarted process would (new listener ports: read the endpoints again).
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        await _app!.DisposeAsync();
        _app = null;
        _stopped = false;
        await StartAppAsync();
    }

    private async Task StartAppAsync()
    {
        var settings = new Dictionary<string, string?>(_settings!)
        {
            ["Silo:SiloPort"] = FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Log);

        // Before the broker's own registrations, so a test double (a fake clock) wins over their TryAdd defaults.
        ConfigureServices(builder.Services);
        builder.AddSingleNodeBroker();

        var app = builder.Build();
        app.MapSingleNodeBroker();
        _app = app;
        await app.StartAsync();

        var endpoints = app.Services.GetRequiredService<GatewayEndpoints>();
        TcpEndPoint = endpoints.TcpEndPoint ?? throw new InvalidOperationException("The TCP listener did not start.");
        WebSocketEndPoint = endpoints.WebSocketEndPoint ?? throw new InvalidOperationException("The WebSocket listener did not start.");
    }

    /// <summary>Stops the broker the way the host does on SIGTERM (idempotent).</summary>
    public async Task StopAsync()
    {
        if (_app is not null && !_stopped)
        {
            _stopped = true;
            using var timeout = new CancellationTokenSource(StopTimeout);
            await _app.StopAsync(timeout.Token);
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAsync();
            await _app.DisposeAsync();
        }

        // For a look at what the broker said: GATEWAY_TESTS_LOG_DIR=/tmp/logs dotnet test tests/Gateway.Tests
        if (Environment.GetEnvironmentVariable("GATEWAY_TESTS_LOG_DIR") is { Length: > 0 } logDirectory)
        {
            Directory.CreateDirectory(logDirectory);
            await File.WriteAllLinesAsync(Path.Combine(logDirectory, $"{GetType().Name}-{Path.GetFileName(_dataDirectory)}.log"), Log.Lines);
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Per-fixture settings (limits) on top of the defaults; keys as in appsettings.json.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Per-fixture services registered before the broker's (test doubles such as a fake clock).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
