namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The ids of the QoS 1/2 messages a connection that resumed a persistent session was given during its first
/// <see cref="Length"/>. A message meant for the client's previous connection may reach this one twice in that time,
/// live through this gateway's route and rescued from the gateway the client left; it is sent once. Exists only
/// during the window, so connections in steady state pay nothing for it.
/// </summary>
internal sealed class ResumeDeliveryWindow(long endsAtTimestamp)
{
    /// <summary>Longer than a rescue takes to arrive: a failed delivery's retries and the departed sessions' grace.</summary>
    public static readonly TimeSpan Length = TimeSpan.FromSeconds(30);

    /// <summary>A bound on the window's memory for a client that receives a flood right after resuming.</summary>
    private const int Capacity = 16_384;

    private readonly HashSet<Guid> _given = [];

    public bool IsOver(long nowTimestamp) => nowTimestamp >= endsAtTimestamp;

    /// <summary>False when the message was given to this connection already.</summary>
    public bool TryGive(Guid messageId) => messageId == Guid.Empty || _given.Count >= Capacity || _given.Add(messageId);
}
