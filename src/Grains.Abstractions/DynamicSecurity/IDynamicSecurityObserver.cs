namespace MqttCluster.Grains;

/// <summary>A gateway's replica of the dynamic-security state, told about every change; also how an administrator
/// reaches every gateway to disconnect a client.</summary>
[Alias("mqtt.IDynamicSecurityObserver")]
public interface IDynamicSecurityObserver : IGrainObserver
{
    [Alias("Apply")]
    Task ApplyAsync(DynamicSecurityUpdate update);

    /// <summary>Closes this gateway's connections of <paramref name="clientId"/>; returns how many it closed.</summary>
    [Alias("Disconnect")]
    Task<int> DisconnectAsync(string clientId);
}
