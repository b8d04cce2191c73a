namespace MqttCluster.Core.Configuration;

/// <summary>Which of Mosquitto's three ways of defining a listener produced a <see cref="MosquittoListener"/>.</summary>
public enum ListenerOrigin
{
    /// <summary>A <c>listener PORT [ADDRESS]</c> line.</summary>
    ListenerLine,

    /// <summary>
    /// Mosquitto's deprecated "default listener": created by <c>port</c> or <c>bind_address</c>, or by a listener
    /// option (such as <c>protocol</c>) written before the first <c>listener</c> line.
    /// </summary>
    DefaultListener,

    /// <summary>
    /// Nothing defines a listener, so Mosquitto 2 listens on port 1883 on the loopback interface only and lets
    /// anonymous clients in ("local only mode").
    /// </summary>
    LocalOnly,
}
