using MqttCluster.Core.Configuration;

namespace MqttCluster.Silo.Configuration;

/// <summary>Native settings from a <c>mosquitto.conf</c>, and what could not be taken over.</summary>
public sealed class MosquittoConfigMappingResult
{
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string> Errors { get; } = [];

    public List<string> Warnings { get; } = [];

    internal void Fail(MosquittoListener listener, string message) =>
        Errors.Add($"{listener.File}:{listener.Line}: error: listener {listener}: {message}");

    internal void Warn(MosquittoListener listener, string message) =>
        Warnings.Add($"{listener.File}:{listener.Line}: warning: listener {listener}: {message}");

    internal void Fail(MosquittoBridge bridge, string option, string message) =>
        Errors.Add($"{bridge.File}:{Line(bridge, option)}: error: {option}: {message}");

    internal void Warn(MosquittoBridge bridge, string option, string message) =>
        Warnings.Add($"{bridge.File}:{Line(bridge, option)}: warning: {option}: {message}");

    private static int Line(MosquittoBridge bridge, string option) => bridge.OptionLines.GetValueOrDefault(option, bridge.Line);

    internal void Warn(string option, string message) => Warnings.Add($"warning: {option}: {message}");
}
