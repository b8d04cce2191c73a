using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MqttCluster.Core.Telemetry;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains;

/// <summary>Registers what broker grains need in every silo.</summary>
public static class GrainsServiceCollectionExtensions
{
    public static IServiceCollection AddBrokerGrainServices(this IServiceCollection services)
    {
        services.AddSingleton<ColocatedGateways>();
        services.AddSingleton<RouteIndexReplica>();
        services.AddSingleton<RouteReplicaSynchronizer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<RouteReplicaSynchronizer>());
        services.AddSingleton<Topics.SiloStopping>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Topics.SiloStopping>());
        services.AddSingleton<Sessions.SessionRestorer>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Sessions.SessionRestorer>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<BrokerMetrics>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RouteMetrics>();
        services.AddSingleton<ActivationGauges<Retained.RetainedIndexGrain>>();
        services.AddSingleton<ActivationGauges<Sessions.SessionGrain>>();
        services.AddSingleton<ActivationGauges<Sessions.SessionRegistryGrain>>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, GrainMetrics>();
        services.AddSingleton<Bridges.BridgeActivations>();
        services.TryAddSingleton(new Bridges.BridgeDefinitions([]));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Bridges.BridgeKeeper>();
        return services;
    }
}
