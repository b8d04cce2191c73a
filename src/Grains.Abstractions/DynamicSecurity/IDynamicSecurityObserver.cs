namespace MqttCluster.Grains;

/// <summary>A gateway's replica of the dynamic-security state, told about every change.</summary>
[Alias("mqtt.IDynamicSecurityObserver")]
public interface IDynamicSecurityObserver : IGrainObserver
{
    [Alias("Apply")]
    Task ApplyAsync(DynamicSecurityUpdate update);
}
