using Orleans.Configuration;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// Membership settings so that a killed silo is declared dead in a few seconds rather than Orleans' defaults
/// (5 s probes, 3 misses, 2 votes: ~15 s; a hung process ~60 s). A crashed process refuses connections at once,
/// so two missed 1-second probes from two silos are enough evidence; indirect probes guard against a silo that
/// only lost its link to one prober. Shared by silos and standalone gateways (which refresh their gateway list).
/// </summary>
public static class FastFailureDetection
{
    public static void Configure(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.MinProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.NumVotesForDeathDeclaration = 2;
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(20);
        options.DefunctSiloExpiration = TimeSpan.FromHours(1);
        options.DefunctSiloCleanupPeriod = TimeSpan.FromMinutes(10);
    }

    public static void Configure(GatewayOptions options) => options.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);
}
