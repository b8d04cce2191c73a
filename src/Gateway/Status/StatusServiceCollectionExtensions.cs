using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Core.Telemetry;
using MqttCluster.Telemetry;

namespace MqttCluster.Gateway.Status;

/// <summary>Registers the cluster status: the page, and on gateways the reporting and per-node <c>$SYS</c>.</summary>
public static class StatusServiceCollectionExtensions
{
    /// <summary>The status page on the management port; any host with an Orleans silo or client can serve it.</summary>
    public static IServiceCollection AddClusterStatusPage(this IServiceCollection services) =>
        services.AddSingleton<IManagementRoutes, StatusPage>();

    /// <summary>A gateway's part: the status page, reports to the cluster stats grain, its own <c>$SYS</c> tree.</summary>
    public static IServiceCollection AddGatewayStatus(this IServiceCollection services)
    {
        services.AddSingleton<TopicActivity>(_ => new TopicActivity());
        services.AddSingleton<LocalNode>();
        services.AddHostedService<NodeStatsReporter>();
        services.AddHostedService<NodeSysPublisher>();
        return services.AddClusterStatusPage();
    }
}
