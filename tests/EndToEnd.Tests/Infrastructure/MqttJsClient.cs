using System.ComponentModel;
using System.Text.Json;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs js/ws-client.mjs (MQTT.js over WebSocket) with node. It prints one JSON event per line; see the script's
/// header for modes and events. node_modules must come from <c>npm ci</c> in the js folder: there is no fallback.
/// </summary>
public static class MqttJsClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ClientProcess Start(params string[] arguments)
    {
        var directory = TestAssets.MqttJsDirectory;
        Assert.True(
            File.Exists(Path.Combine(directory, "node_modules", "mqtt", "package.json")),
            $"MQTT.js is not installed. Run `npm ci` in {directory} (Node.js 18+ and npm), then run the tests again.");
        try
        {
            return ClientProcess.Start("node", ["ws-client.mjs", .. arguments], directory);
        }
        catch (Win32Exception exception)
        {
            throw new Xunit.Sdk.XunitException($"Could not run `node` ({exception.Message}); install Node.js 18 or later.");
        }
    }

    /// <summary>The JSON events printed so far.</summary>
    public static IReadOnlyList<MqttJsEvent> Events(ClientProcess client) =>
        [.. client.Output.Lines.Where(l => l.StartsWith('{')).Select(l => JsonSerializer.Deserialize<MqttJsEvent>(l, Json)!)];

    /// <summary>Waits for an event, e.g. "subscribed", and fails with the script's output if it does not come.</summary>
    public static Task WaitForEventAsync(ClientProcess client, string name, Func<string> context) =>
        client.WaitForOutputLineAsync(l => l.Contains($"\"event\":\"{name}\"", StringComparison.Ordinal), Timeout, $"a '{name}' event", context);
}
