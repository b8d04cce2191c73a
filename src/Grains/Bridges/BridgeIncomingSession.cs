using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The bridge's client session for what the remote sends it: the packet identifiers of QoS 2 messages published here
/// whose PUBREL has not come. A PUBLISH the remote sends again under such an identifier (after a reconnect, with DUP)
/// is only acknowledged again, not published twice [MQTT-4.3.3-9]. The identifiers are stored (with the queue) before
/// the PUBREC and PUBCOMP that depend on them go out, so this also holds across a restart of this broker. Used on
/// the grain's scheduler only.
/// </summary>
internal sealed class BridgeIncomingSession(IEnumerable<ushort> stored)
{
    private readonly HashSet<ushort> _awaitingRelease = [.. stored];

    /// <summary>What storage keeps.</summary>
    public List<ushort> AwaitingRelease() => [.. _awaitingRelease];

    /// <summary>A new connection: without the session present at the remote, it will not send PUBREL for any of them.</summary>
    public void Resume(bool sessionPresent)
    {
        if (!sessionPresent)
        {
            _awaitingRelease.Clear();
        }
    }

    /// <summary>
    /// A PUBLISH or PUBREL from the remote: publishes here what is new (awaited, so a failure leaves it
    /// unacknowledged), stores what the answer depends on, and returns the answer to send (null for QoS 0).
    /// </summary>
    public async Task<MqttPacket?> ReceiveAsync(MqttPacket packet, Func<MqttPublishPacket, Task> publishHere, Func<Task> store)
    {
        switch (packet)
        {
            case MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtMostOnce } publish:
                await publishHere(publish);
                return null;
            case MqttPublishPacket { QualityOfServiceLevel: MqttQualityOfServiceLevel.AtLeastOnce } publish:
                await publishHere(publish);
                return new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier };
            case MqttPublishPacket publish:
                if (!_awaitingRelease.Contains(publish.PacketIdentifier))
                {
                    await publishHere(publish);
                    _awaitingRelease.Add(publish.PacketIdentifier);
                    await store();
                }

                return new MqttPubRecPacket { PacketIdentifier = publish.PacketIdentifier };
            case MqttPubRelPacket release:
                // Stored free before PUBCOMP: the remote may use the identifier for a new message right after it.
                var known = _awaitingRelease.Remove(release.PacketIdentifier);
                if (known)
                {
                    await store();
                }

                return new MqttPubCompPacket
                {
                    PacketIdentifier = release.PacketIdentifier,
                    ReasonCode = known ? MqttPubCompReasonCode.Success : MqttPubCompReasonCode.PacketIdentifierNotFound,
                };
            default:
                throw new ArgumentException($"not a PUBLISH or PUBREL: {packet}", nameof(packet));
        }
    }
}
