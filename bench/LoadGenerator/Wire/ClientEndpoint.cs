namespace MqttCluster.LoadGenerator.Wire;

/// <summary>Where and how a generator client connects.</summary>
public sealed record ClientEndpoint(string Host, int Port, BrokerTransport Transport, string WebSocketPath, int ProtocolVersion);
