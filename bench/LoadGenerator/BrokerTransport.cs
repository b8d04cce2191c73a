namespace MqttCluster.LoadGenerator;

/// <summary>How the clients reach the broker.</summary>
public enum BrokerTransport
{
    Tcp,
    WebSocket,
}
