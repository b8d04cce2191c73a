namespace MqttCluster.Gateway.Admin;

/// <summary>A retained message as the REST API shows it: the payload as UTF-8 text when it is, and always base64.</summary>
public sealed record AdminRetainedMessage(string Topic, int Qos, string? Payload, string PayloadBase64);
