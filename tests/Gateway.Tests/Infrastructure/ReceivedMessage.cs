using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>An application message as the test client received it (payload copied out of the client's buffers).</summary>
public sealed record ReceivedMessage(MqttApplicationMessage Message, byte[] Payload, ushort PacketIdentifier = 0)
{
    /// <summary>DUP: the broker sent this PUBLISH before, to an earlier connection of the session.</summary>
    public bool Dup => Message.Dup;

    public string Topic => Message.Topic;

    public string Text => Encoding.UTF8.GetString(Payload);

    public MqttQualityOfServiceLevel QualityOfService => Message.QualityOfServiceLevel;

    public bool Retain => Message.Retain;

    public override string ToString() => $"{Topic} '{(Payload.Length > 40 ? $"{Payload.Length} bytes" : Text)}' QoS {(int)QualityOfService}{(Retain ? " retained" : string.Empty)}";
}
