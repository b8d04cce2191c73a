using MqttCluster.Grains;

namespace MqttCluster.Gateway.Cluster;

/// <summary>A client id's session authority on Orleans: its session grain.</summary>
internal sealed class OrleansClusterSession(ISessionGrain grain) : IClusterSession
{
    public Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request) => grain.ConnectAsync(request);

    public Task<SessionResume> ResumeAsync(long epoch) => grain.ResumeAsync(epoch);

    public Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed) =>
        grain.UpdateSubscriptionsAsync(epoch, upserted, removed);

    public Task GoingOfflineAsync(long epoch) => grain.GoingOfflineAsync(epoch);

    public Task DisconnectAsync(long epoch, SessionHandoff handoff) => grain.DisconnectAsync(epoch, handoff);

    public Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch) => grain.RescueAsync(epoch, messages, batch);
}
