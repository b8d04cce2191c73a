using System.Text.Json.Nodes;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>The answer to one command: the plugin's error string, or data (optional) and whether it changed state.</summary>
internal readonly record struct DynsecReply(string? Error, JsonObject? Data, bool Changed)
{
    public static DynsecReply Done { get; } = new(null, null, true);

    public static DynsecReply Fail(string error) => new(error, null, false);

    public static DynsecReply With(JsonObject data) => new(null, data, false);
}
