using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A broker whose clock (the <see cref="TimeProvider"/> of its session grains and connections) only moves when a
/// test advances it, for session expiry and will delay without waiting. 3.1.1 persistent sessions expire after
/// <see cref="PersistentClientExpiration"/>. The fake clock is the registered <see cref="TimeProvider"/> because the
/// broker only adds <see cref="TimeProvider.System"/> when none is registered yet. Clients should not use keep-alive
/// here: moving the clock would expire it.
/// </summary>
public class FakeClockBrokerFixture : BrokerFixture
{
    public static readonly TimeSpan PersistentClientExpiration = TimeSpan.FromSeconds(20);

    /// <summary>Longest single move of the clock: well below <see cref="GatewayLiveness.Expiry"/>.</summary>
    private static readonly TimeSpan MaxStep = TimeSpan.FromSeconds(1);

    public ClusterClock Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// Moves the broker's clock forward in steps of at most a second, refreshing the gateway's registration after
    /// each: the route index measures gateway liveness on the same clock, and one long jump would look like a
    /// gateway that stopped refreshing (declared dead, its connections closed).
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var identity = Services.GetRequiredService<GatewayIdentity>();
        var routeIndex = Services.GetRequiredService<IGrainFactory>().GetGrain<IRouteIndexGrain>(0);
        while (by > TimeSpan.Zero)
        {
            var step = by < MaxStep ? by : MaxStep;
            Clock.Advance(step);
            by -= step;
            await routeIndex.RegisterGatewayAsync(identity.GatewayId, identity.Reference!);
        }
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Sessions:PersistentClientExpiration"] = PersistentClientExpiration.ToString();

        // Orleans measures thread-pool stalls on the same clock: every jump of the fake clock looks like one and is
        // logged as an error, which is not the broker's doing.
        settings["Logging:LogLevel:Orleans.Runtime.MembershipService.LocalSiloHealthMonitor"] = "None";
    }

    protected override void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<TimeProvider>(Clock);
}
