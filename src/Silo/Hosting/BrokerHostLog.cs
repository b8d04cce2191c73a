namespace MqttCluster.Silo.Hosting;

/// <summary>Log lines of the silo host.</summary>
internal static partial class BrokerHostLog
{
    // Scripts wait for this line: keep its beginning stable.
    [LoggerMessage(Level = LogLevel.Information, Message = "Silo ready (grains only): silo port {SiloPort}, cluster {ClusterId}, management {Management}")]
    public static partial void GrainsOnlyReady(ILogger logger, int siloPort, string clusterId, string management);
}
