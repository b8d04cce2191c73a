namespace MqttCluster.Grains;

/// <summary>
/// How long a takeover may take at the gateway that holds the old connection. Before it closes that connection, the
/// gateway lets the PUBLISH packets the connection has already read take effect [MQTT-4.6.0-2 order], waiting for
/// them at most <see cref="InboundForwardingWait"/>: well inside the session grain's wait for the takeover's answer,
/// so the unfinished state it hands back still reaches the grain. A test checks the two against each other.
/// </summary>
public static class SessionTakeoverBudget
{
    public static readonly TimeSpan InboundForwardingWait = TimeSpan.FromSeconds(2);
}
