namespace MqttCluster.Core.Delivery;

/// <summary>
/// The connection's side of <see cref="SessionDelivery{T}"/>: the checks that depend on the client and the
/// broker's configuration, the packets to write, and the drops to count. Called under the caller's lock.
/// </summary>
public interface ISessionDeliveryOutput<in T>
{
    /// <summary>Whether the message may go to this client at all (not expired, allowed by the ACL, within the
    /// client's maximum packet size); the implementation counts a refusal.</summary>
    bool Admit(T delivery);

    /// <summary>Whether a message that waited in the queue expired meanwhile; the implementation counts it.</summary>
    bool Expired(T delivery);

    /// <summary>Packets written and not yet taken by the socket (limits QoS 0 for a client that stopped reading).</summary>
    int UnsentCount { get; }

    /// <summary>Writes the PUBLISH; <paramref name="packetId"/> is 0 for QoS 0.</summary>
    void SendPublish(T delivery, ushort packetId, bool duplicate);

    /// <summary>Writes a PUBREL for a resumed QoS 2 message the client had received already.</summary>
    void SendPubRel(ushort packetId);

    /// <summary>A message refused by a limit: counted under <paramref name="reason"/>, logged sparingly.</summary>
    void Drop(string reason, string detail);
}
