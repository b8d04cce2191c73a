using MQTTnet.Packets;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Topic aliases towards an MQTT 5 client, within the maximum it announced in CONNECT [MQTT-3.3.2-9]: the first
/// topics sent get an alias (sent once with the topic), later messages on them carry only the alias.
/// Not thread-safe: used under the connection's outbound lock, in send order.
/// </summary>
internal sealed class OutboundTopicAliases(ushort maximum)
{
    // Only for a client that announced a maximum; created with its first alias.
    private Dictionary<string, ushort>? _aliases;

    /// <summary>Bytes the Topic Alias property adds to the next PUBLISH on <paramref name="topic"/> (0 or 3).</summary>
    public int PropertyBytes(string topic) =>
        maximum != 0 && (_aliases is null || _aliases.ContainsKey(topic) || _aliases.Count < maximum) ? 3 : 0;

    /// <summary>The next PUBLISH on <paramref name="topic"/> carries only its alias, not the topic name.</summary>
    public bool SendsAliasOnly(string topic) => _aliases?.ContainsKey(topic) ?? false;

    public void Apply(MqttPublishPacket packet)
    {
        if (maximum == 0)
        {
            return;
        }

        _aliases ??= new(StringComparer.Ordinal);
        if (_aliases.TryGetValue(packet.Topic, out var alias))
        {
            packet.TopicAlias = alias;
            packet.Topic = string.Empty;
            return;
        }

        if (_aliases.Count < maximum)
        {
            alias = (ushort)(_aliases.Count + 1);
            _aliases[packet.Topic] = alias;
            packet.TopicAlias = alias;
        }
    }
}
