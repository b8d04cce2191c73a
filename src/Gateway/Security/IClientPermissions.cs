namespace MqttCluster.Gateway.Security;

/// <summary>What one client may do.</summary>
public interface IClientPermissions
{
    bool CanPublish(string topic);

    bool CanSubscribe(string filter);

    /// <summary>For each delivered message: a wildcard subscription may cover topics the client may not read.</summary>
    bool CanReceive(string topic);

    /// <summary>Only the dynamic-security rules restrict unsubscribing; files always allow it.</summary>
    bool CanUnsubscribe(string filter) => true;
}
