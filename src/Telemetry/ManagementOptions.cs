namespace MqttCluster.Telemetry;

/// <summary>The management HTTP port of a host (section <c>Management</c>): health, metrics, status page.</summary>
public sealed class ManagementOptions
{
    public const string Section = "Management";

    /// <summary>Address to listen on; <c>*</c> for every interface (what a Kubernetes probe needs).</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one, -1 turns the management port off.</summary>
    public int Port { get; set; } = 8080;
}
