using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MqttCluster.Gateway.Cluster;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>Puts the dynamic-security rules in front of the password and ACL files, and serves
/// <c>$CONTROL/dynamic-security/v1</c> and the REST API (whose administrators are dynamic-security clients).</summary>
public static class DynamicSecurityServiceCollectionExtensions
{
    public static IServiceCollection AddDynamicSecurity(this IServiceCollection services)
    {
        services.TryAddSingleton<LoginNames>();
        services.TryAddSingleton<DynamicSecurityReplica>();
        services.TryAddSingleton<DynamicSecurityAccess>();
        services.TryAddSingleton<DynamicSecuritySync>();
        services.AddHostedService(sp => sp.GetRequiredService<DynamicSecuritySync>());
        services.Replace(ServiceDescriptor.Singleton<IClientAuthenticator>(sp => sp.GetRequiredService<DynamicSecurityAccess>()));
        services.Replace(ServiceDescriptor.Singleton<IClientAuthorizer>(sp => sp.GetRequiredService<DynamicSecurityAccess>()));
        services.TryAddSingleton<OrleansBrokerCluster>();
        services.Replace(ServiceDescriptor.Singleton<IBrokerCluster>(sp =>
            ActivatorUtilities.CreateInstance<DynamicSecurityControl>(sp, sp.GetRequiredService<OrleansBrokerCluster>())));
        services.TryAddSingleton<Admin.FailedLoginLimiter>();
        services.TryAddSingleton<Admin.BridgeAdminApi>();
        services.TryAddSingleton<Admin.SessionAdminApi>();
        services.TryAddSingleton<Admin.DynamicSecurityAdminApi>();
        services.TryAddSingleton<Admin.GatewayAdminEndpoint>();
        services.AddHostedService(sp => sp.GetRequiredService<Admin.GatewayAdminEndpoint>());
        services.AddSingleton<MqttCluster.Telemetry.IManagementRoutes, Admin.AdminApi>();
        return services;
    }
}
