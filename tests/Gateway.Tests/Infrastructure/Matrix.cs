using MQTTnet.Formatter;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>Theory data: the core flows run over both transports and both protocol versions.</summary>
public static class Matrix
{
    public static TheoryData<MqttTransport, MqttProtocolVersion> TransportsAndVersions => new()
    {
        { MqttTransport.Tcp, MqttProtocolVersion.V311 },
        { MqttTransport.Tcp, MqttProtocolVersion.V500 },
        { MqttTransport.WebSocket, MqttProtocolVersion.V311 },
        { MqttTransport.WebSocket, MqttProtocolVersion.V500 },
    };

    public static TheoryData<MqttTransport> Transports => new() { MqttTransport.Tcp, MqttTransport.WebSocket };

    public static TheoryData<MqttProtocolVersion> Versions => new() { MqttProtocolVersion.V311, MqttProtocolVersion.V500 };
}
