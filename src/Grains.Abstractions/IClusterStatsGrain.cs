namespace MqttCluster.Grains;

/// <summary>
/// The cluster at a glance: every gateway reports a snapshot of itself every few seconds; the grain keeps each
/// node's latest report, a short history of cluster-wide rates, the silos and their state, and publishes the
/// cluster-wide <c>$SYS</c> topics. One activation, key <see cref="Key"/>.
/// </summary>
[Alias("mqtt.IClusterStatsGrain")]
public interface IClusterStatsGrain : IGrainWithStringKey
{
    public const string Key = "cluster";

    [Alias("Report")]
    Task ReportAsync(NodeReport report);

    [Alias("GetStatus")]
    Task<ClusterStatus> GetStatusAsync();
}
