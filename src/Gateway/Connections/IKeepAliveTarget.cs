namespace MqttCluster.Gateway.Connections;

/// <summary>What the <see cref="KeepAliveSweep"/> watches: an established connection whose client may go silent or
/// stop taking its packets.</summary>
public interface IKeepAliveTarget
{
    /// <summary>Asked when the target's check is due: closes it if its client went silent or stopped taking its
    /// packets (null), else says how long until it should be checked again.</summary>
    TimeSpan? CloseIfUnresponsive();
}
