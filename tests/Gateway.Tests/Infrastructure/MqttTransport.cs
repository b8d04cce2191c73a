namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>How a test client reaches the broker.</summary>
public enum MqttTransport
{
    Tcp,
    WebSocket,
}
