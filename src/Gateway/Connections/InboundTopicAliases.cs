using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Transport;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The topic aliases a client set on its PUBLISHes (MQTT 5, 3.3.2.3.4), and the topic name each PUBLISH stands
/// for: its own, checked, or the one its alias was set to. A rule broken ends the connection with the reason the
/// specification gives.
/// </summary>
internal sealed class InboundTopicAliases(GatewayOptions options)
{
    // Created on the first alias: most clients never set one.
    private Dictionary<ushort, string>? _topics;

    public string Resolve(MqttPublishPacket publish, bool isV5)
    {
        var topic = publish.Topic ?? string.Empty;
        var alias = publish.TopicAlias;
        if (alias != 0)
        {
            if (!isV5 || alias > options.TopicAliasMaximum)
            {
                throw new MqttProtocolError(MqttDisconnectReasonCode.TopicAliasInvalid, $"Topic alias {alias} exceeds the maximum {options.TopicAliasMaximum} [MQTT-3.3.2-9].");
            }

            if (topic.Length == 0)
            {
                return _topics is not null && _topics.TryGetValue(alias, out var known)
                    ? known
                    : throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, $"Unknown topic alias {alias} [MQTT-3.3.4-2].");
            }
        }

        var error = TopicName.Validate(topic);
        if (error != TopicValidationError.None)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.TopicNameInvalid, $"Invalid topic name '{topic}': {error}.");
        }

        if (options.ExceedsTopicLimits(topic))
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.TopicNameInvalid, $"Topic name longer than Mqtt:MaxTopicLength ({options.MaxTopicLength}) or deeper than Mqtt:MaxTopicLevels ({options.MaxTopicLevels}).");
        }

        if (alias != 0)
        {
            (_topics ??= [])[alias] = topic;
        }

        return topic;
    }
}
