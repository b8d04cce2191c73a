namespace MqttCluster.Gateway.Security;

/// <summary>Decides what a connected client may publish, subscribe to and receive.</summary>
public interface IClientAuthorizer
{
    /// <summary>False when every client may do everything, so the hot path can skip the checks.</summary>
    bool IsActive { get; }

    bool CanPublish(string? username, string clientId, string topic);

    bool CanSubscribe(string? username, string clientId, string filter);

    /// <summary>For each delivered message: a wildcard subscription may cover topics the client may not read.</summary>
    bool CanReceive(string? username, string clientId, string topic);
}
