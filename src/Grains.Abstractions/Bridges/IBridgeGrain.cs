namespace MqttCluster.Grains;

/// <summary>
/// One bridge to a remote broker, keyed by its name. A single activation in the cluster owns the MQTT connection to
/// the remote, the bridge's local routes and its store-and-forward queue, so the bridge runs on one node at a time.
/// Topic grains deliver to it as to a gateway (it is also an <see cref="IGatewayObserver"/>).
/// </summary>
[Alias("mqtt.IBridgeGrain")]
public interface IBridgeGrain : IGrainWithStringKey
{
    /// <summary>Starts the bridge with <paramref name="options"/>, or keeps it running (idempotent). Returns once its
    /// local routes are registered, not when the remote is connected. Every silo calls it periodically, which
    /// brings the bridge back on another silo when its own is gone.</summary>
    [Alias("Start")]
    Task StartAsync(BridgeOptions options);

    /// <summary>Stops the bridge (it was removed from the configuration): closes its remote connection, leaves the
    /// route index and forgets its options. Its stored queue stays, for when it is configured again.</summary>
    [Alias("Stop")]
    Task StopAsync();

    [Alias("GetStatus")]
    Task<BridgeStatus> GetStatusAsync();
}
