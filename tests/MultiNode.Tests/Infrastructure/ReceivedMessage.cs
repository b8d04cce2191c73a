using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>An application message as a test client received it (payload copied out of the client's buffers),
/// with the DUP flag of its PUBLISH and when it arrived.</summary>
public sealed record ReceivedMessage(MqttApplicationMessage Message, byte[] Payload, bool Duplicate, TimeSpan ReceivedAt)
{
    public string Topic => Message.Topic;

    public string Text => Encoding.UTF8.GetString(Payload);

    public MqttQualityOfServiceLevel QualityOfService => Message.QualityOfServiceLevel;

    public bool Retain => Message.Retain;

    public override string ToString() =>
        $"{Topic} '{(Payload.Length > 40 ? $"{Payload.Length} bytes" : Text)}' QoS {(int)QualityOfService}{(Retain ? " retained" : string.Empty)}{(Duplicate ? " DUP" : string.Empty)}";
}
