namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>One line printed by js/ws-client.mjs.</summary>
public sealed record MqttJsEvent(string Event, string? Topic, string? Payload, int? Qos, bool? Retain, string? Message)
{
    /// <summary>A received message as "topic payload qos retain", easy to compare and to read in a failure.</summary>
    public string Describe() => $"{Topic} {Payload} q{Qos} {(Retain == true ? "retained" : "live")}";
}
