using System.Text.Json.Serialization;

namespace MqttCluster.Gateway.Admin;

/// <summary>An RFC 9457 problem details body (<c>application/problem+json</c>).</summary>
public sealed record ProblemDetails(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("detail")] string Detail,
    [property: JsonPropertyName("type")] string Type = "about:blank");
