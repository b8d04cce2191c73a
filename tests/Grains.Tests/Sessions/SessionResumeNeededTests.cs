using static MqttCluster.Grains.Tests.Sessions.SessionTestData;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>
/// Whether a connection must ask the session grain for its stored messages (<see cref="ISessionGrain.ResumeAsync"/>):
/// not for a new session that ends with the connection, which has none, and saves a grain call on every such
/// CONNECT; always for a persistent session and for one that was present, whatever the new expiry.
/// </summary>
public sealed class SessionResumeNeededTests(SessionClusterFixture cluster) : IClassFixture<SessionClusterFixture>
{
    [Fact]
    public async Task A_new_session_that_ends_with_its_connection_has_nothing_to_resume()
    {
        var session = cluster.Client.GetGrain<ISessionGrain>(NewClientId("clean"));
        var gateway = new TakeoverGateway();

        var connected = await session.ConnectAsync(cluster.Request("gw-a", gateway) with { CleanStart = true, SessionExpiryInterval = 0 });

        Assert.True(connected.NothingToResume);
        Assert.False(connected.SessionPresent);

        // A gateway that predates the flag still asks, and gets nothing.
        var resume = await session.ResumeAsync(connected.Epoch);
        Assert.Empty(resume.Inflight);
        Assert.Empty(resume.Queued);
        Assert.Empty(resume.InboundQos2);
    }

    [Fact]
    public async Task A_session_that_ends_with_its_connection_takes_over_like_a_resumed_one()
    {
        var clientId = NewClientId("clean-takeover");
        var session = cluster.Client.GetGrain<ISessionGrain>(clientId);
        var gatewayA = new TakeoverGateway();
        var gatewayB = new TakeoverGateway();

        var a = await session.ConnectAsync(cluster.Request("gw-a", gatewayA) with { CleanStart = true, SessionExpiryInterval = 0 });
        var b = await session.ConnectAsync(cluster.Request("gw-b", gatewayB) with { CleanStart = true, SessionExpiryInterval = 0 });

        // Without a resume call, A's connection owned the session: the new CONNECT took it over from A.
        Assert.Equal([(clientId, a.Epoch)], gatewayA.TakeOvers);
        Assert.True(b.NothingToResume);
        Assert.True(b.Epoch > a.Epoch);
    }

    [Fact]
    public async Task A_persistent_session_resumes_through_the_grain()
    {
        var session = cluster.Client.GetGrain<ISessionGrain>(NewClientId("persistent"));

        var connected = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));

        Assert.False(connected.NothingToResume);
    }

    [Fact]
    public async Task A_present_session_resumes_its_queue_even_when_it_now_ends_with_the_connection()
    {
        var session = cluster.Client.GetGrain<ISessionGrain>(NewClientId("present"));
        var first = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()));
        await session.ResumeAsync(first.Epoch);
        var queued = Outbound("t", "queued while the client was away");
        await session.DisconnectAsync(first.Epoch, new SessionHandoff { Kind = DisconnectKind.Normal, Pending = [queued], ResumeApplied = true });

        var again = await session.ConnectAsync(cluster.Request("gw-a", new TakeoverGateway()) with { CleanStart = false, SessionExpiryInterval = 0 });

        Assert.True(again.SessionPresent);
        Assert.False(again.NothingToResume);
        Assert.Equal([queued.Message.MessageId], (await session.ResumeAsync(again.Epoch)).Queued.Select(m => m.Message.MessageId));
    }
}
