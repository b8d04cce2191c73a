using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Tests.Subscriptions;

/// <summary>
/// The departed sessions of a gateway: a late QoS 1/2 delivery goes to the sessions whose filters match its topic,
/// and only those; a session that came back, or whose grace passed, gets nothing more. The cluster here records the
/// hand-offs (the session grain's side is covered in Grains.Tests and the takeover tests).
/// </summary>
public sealed class DepartedSessionsTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RescueRecorder _cluster = new();

    [Fact]
    public async Task A_late_message_goes_to_the_departed_sessions_whose_filters_match_it()
    {
        var departed = new DepartedSessions(_cluster, _time, NullLogger<DepartedSessions>.Instance);
        departed.Add("kitchen", 1, ["home/kitchen/#"]);
        departed.Add("all", 7, ["home/+/temperature", "home/#", "$share/group/home/#"]);
        departed.Add("garage", 2, ["garage/#"]);

        await RescueAsync(departed, "home/kitchen/temperature", qos: 1);

        // "all" matches by two filters and gets the message once.
        Assert.Equal(["all@7", "kitchen@1"], _cluster.Rescued.Order());
    }

    [Fact]
    public async Task QoS_0_and_sessions_that_came_back_or_whose_grace_passed_get_nothing()
    {
        var departed = new DepartedSessions(_cluster, _time, NullLogger<DepartedSessions>.Instance);
        departed.Add("back", 1, ["a/#"]);
        departed.Add("early", 1, ["a/#"]);
        await RescueAsync(departed, "a/b", qos: 0);
        Assert.Empty(_cluster.Rescued);

        departed.Forget("back");
        _time.Advance(DepartedSessions.GracePeriod / 2);
        departed.Add("late", 3, ["a/+"]);
        _time.Advance((DepartedSessions.GracePeriod / 2) + TimeSpan.FromSeconds(1));

        await RescueAsync(departed, "a/b", qos: 2);
        Assert.Equal(["late@3"], _cluster.Rescued);

        _time.Advance(DepartedSessions.GracePeriod);
        _cluster.Rescued.Clear();
        await RescueAsync(departed, "a/b", qos: 1);
        Assert.Empty(_cluster.Rescued);
    }

    private static Task RescueAsync(DepartedSessions departed, string topic, byte qos)
    {
        var waits = new DeliveryWaits();
        departed.Rescue(new BrokerMessage { Topic = topic, Payload = [1], QualityOfService = qos }, ref waits);
        return waits.WhenDone();
    }

    /// <summary>Records which session got a rescued message; nothing else of the cluster is used.</summary>
    private sealed class RescueRecorder : IBrokerCluster
    {
        public List<string> Rescued { get; } = [];

        public IClusterSession Session(string clientId) => new RecordingSession(clientId, Rescued);

        public Task<PublishOutcome> PublishAsync(string topic, BrokerMessage[] messages) => throw new NotSupportedException();

        public Task PublishSharedAsync(string groupRoute, string topic, BrokerMessage[] messages) => throw new NotSupportedException();

        public Task AddRouteAsync(string route) => throw new NotSupportedException();

        public Task RemoveRouteAsync(string route) => throw new NotSupportedException();

        public Task<IReadOnlyList<BrokerMessage>> GetRetainedAsync(string filter) => throw new NotSupportedException();
    }

    private sealed class RecordingSession(string clientId, List<string> rescued) : IClusterSession
    {
        public Task RescueAsync(long epoch, BrokerMessage[] messages, DeliveryBatch? batch)
        {
            lock (rescued)
            {
                rescued.Add($"{clientId}@{epoch}");
            }

            return Task.CompletedTask;
        }

        public Task<SessionConnectResult> ConnectAsync(SessionConnectRequest request) => throw new NotSupportedException();

        public Task<SessionResume> ResumeAsync(long epoch) => throw new NotSupportedException();

        public Task UpdateSubscriptionsAsync(long epoch, SessionSubscription[] upserted, string[] removed) => throw new NotSupportedException();

        public Task GoingOfflineAsync(long epoch) => throw new NotSupportedException();

        public Task DisconnectAsync(long epoch, SessionHandoff handoff) => throw new NotSupportedException();
    }
}
