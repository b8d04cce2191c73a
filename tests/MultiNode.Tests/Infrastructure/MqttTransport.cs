namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>How a test client reaches a gateway.</summary>
public enum MqttTransport
{
    Tcp,
    WebSocket,
}
