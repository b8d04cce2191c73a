namespace MqttCluster.Grains;

/// <summary>
/// An application message as it travels through the cluster: from the publisher's gateway to a topic grain and
/// from there to every gateway with a matching subscription. Immutable so Orleans passes it without deep copies.
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.BrokerMessage")]
public sealed record BrokerMessage
{
    [Id(0)] public required string Topic { get; init; }

    [Id(1)] public required byte[] Payload { get; init; }

    /// <summary>QoS the publisher sent with (0, 1 or 2); each subscriber gets min(this, its subscription QoS).</summary>
    [Id(2)] public byte QualityOfService { get; init; }

    /// <summary>The RETAIN flag as published; delivery clears it unless the subscription asks for retain-as-published.</summary>
    [Id(3)] public bool Retain { get; init; }

    /// <summary>Client id of the publisher, for the MQTT 5 no-local subscription option [MQTT-3.8.3-3].</summary>
    [Id(4)] public string? PublisherClientId { get; init; }

    /// <summary>Absolute expiry (Unix milliseconds) from the MQTT 5 message expiry interval; null when it never expires.</summary>
    [Id(5)] public long? ExpiresAtUnixMilliseconds { get; init; }

    [Id(6)] public string? ContentType { get; init; }

    [Id(7)] public string? ResponseTopic { get; init; }

    [Id(8)] public byte[]? CorrelationData { get; init; }

    /// <summary>MQTT 5 payload format indicator: 0 unspecified bytes, 1 UTF-8.</summary>
    [Id(9)] public byte PayloadFormatIndicator { get; init; }

    [Id(10)] public UserProperty[]? UserProperties { get; init; }

    /// <summary>Unique per published message, so a session resuming from its offline queue while live delivery
    /// already reaches its new connection receives each message once.</summary>
    [Id(11)] public Guid MessageId { get; init; }

    /// <summary>
    /// W3C Trace Context of the message (MQTT 5 user properties <c>traceparent</c>/<c>tracestate</c>, kept apart
    /// from <see cref="UserProperties"/>): the span of the last broker hop that traced it, or what the publisher sent
    /// when the broker does not trace it. Delivered to subscribers as user properties again.
    /// </summary>
    [Id(12)] public string? TraceParent { get; init; }

    [Id(13)] public string? TraceState { get; init; }

    /// <summary>The message as it goes on from <paramref name="span"/>: later hops and subscribers hang under it.</summary>
    public BrokerMessage ContinuedBy(System.Diagnostics.Activity span) =>
        this with { TraceParent = span.Id, TraceState = span.TraceStateString };
}
