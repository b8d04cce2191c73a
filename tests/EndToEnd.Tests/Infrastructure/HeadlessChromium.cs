using System.Globalization;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, headless, driven over the Chrome DevTools Protocol on a loopback port it picks itself: open a
/// page, run script in it (type into a form, click a button), wait for what the page shows. One page per instance.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _profile;
    private readonly ClientProcess _process;
    private readonly ClientWebSocket _socket = new();
    private int _nextId;

    private HeadlessChromium(TempDirectory profile, ClientProcess process)
    {
        _profile = profile;
        _process = process;
    }

    public static async Task<HeadlessChromium> OpenAsync(string url)
    {
        var profile = new TempDirectory("chromium");
        var process = ClientProcess.Start(Executable,
            ["--headless", "--no-sandbox", "--disable-gpu", $"--user-data-dir={profile.Path}", "--remote-debugging-port=0", "about:blank"]);
        var browser = new HeadlessChromium(profile, process);
        try
        {
            await browser.AttachAsync();
            await browser.SendAsync("Page.navigate", new JsonObject { ["url"] = url });
            await browser.WaitForAsync($"location.href === '{url}' && document.readyState === 'complete'", $"{url} to load");
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <paramref name="expression"/> in the page (awaiting a promise it returns) and gives its value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true });
        if (result?["exceptionDetails"] is not null)
        {
            throw new InvalidOperationException($"The page failed to run `{expression}`: {result.ToJsonString()}");
        }

        return result?["result"]?["value"];
    }

    /// <summary>Waits until <paramref name="condition"/>, a script expression, is true in the page; checked in the page
    /// every 50 ms, so its own timers and fetches go on meanwhile.</summary>
    public async Task WaitForAsync(string condition, string awaited)
    {
        var script = $$"""
            new Promise(resolve => {
              const deadline = Date.now() + {{Timeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}};
              const check = () => {
                let met = false;
                try { met = Boolean({{condition}}); } catch { }
                if (met || Date.now() > deadline) resolve(met); else setTimeout(check, 50);
              };
              check();
            })
            """;
        if (await EvaluateAsync(script) is not { } met || !met.GetValue<bool>())
        {
            var page = await EvaluateAsync("document.body ? document.body.innerText : ''");
            throw new TimeoutException($"Within {Timeout.TotalSeconds} s the page did not get to {awaited} ({condition}). It shows:\n{page}\n{_process.Describe()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Dispose();
        await _process.DisposeAsync();
        _profile.Dispose();
    }

    /// <summary>Sends one DevTools command to the page and returns its result.</summary>
    private async Task<JsonNode?> SendAsync(string method, JsonObject parameters)
    {
        var id = ++_nextId;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        using var timeout = new CancellationTokenSource(Timeout);
        await _socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        while (true)
        {
            var message = await ReceiveAsync(timeout.Token);
            if (message["id"]?.GetValue<int>() != id)
            {
                continue;
            }

            if (message["error"] is not null)
            {
                throw new InvalidOperationException($"Chromium refused {method} {parameters.ToJsonString()}: {message.ToJsonString()}");
            }

            return message["result"];
        }
    }

    /// <summary>Connects to the page's DevTools endpoint; Chromium writes its port to DevToolsActivePort.</summary>
    private async Task AttachAsync()
    {
        var portFile = Path.Combine(_profile.Path, "DevToolsActivePort");
        var deadline = DateTime.UtcNow + Timeout;
        while (!File.Exists(portFile) || File.ReadAllLines(portFile).Length < 2)
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new TimeoutException($"Chromium did not open its DevTools port within {Timeout.TotalSeconds} s.\n{_process.Describe()}");
            }

            await Task.Delay(50);
        }

        var port = int.Parse(File.ReadAllLines(portFile)[0], CultureInfo.InvariantCulture);
        using var http = new HttpClient { Timeout = Timeout };
        var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/json/list")))!.AsArray();
        var page = targets.First(t => t!["type"]!.GetValue<string>() == "page")!;
        using var timeout = new CancellationTokenSource(Timeout);
        await _socket.ConnectAsync(new Uri(page["webSocketDebuggerUrl"]!.GetValue<string>()), timeout.Token);
    }

    private async Task<JsonNode> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult received;
        do
        {
            received = await _socket.ReceiveAsync(buffer, cancellationToken);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"Chromium closed the DevTools connection.\n{_process.Describe()}");
            }

            message.Write(buffer, 0, received.Count);
        }
        while (!received.EndOfMessage);

        return JsonNode.Parse(message.ToArray()) ?? throw new JsonException("An empty DevTools message.");
    }
}
