using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Status;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Hosting;

/// <summary>Registers an MQTT gateway in a host that also has an Orleans silo or client.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static IServiceCollection AddMqttGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>().Bind(configuration.GetSection(GatewayOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>();
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.Section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<Security.SecurityOptions>().Bind(configuration.GetSection(Security.SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Security.SecurityOptions>, Security.SecurityOptionsValidator>();
        services.AddSingleton<Security.MosquittoFileSecurity>();
        services.AddSingleton<Security.IClientAuthenticator>(sp => sp.GetRequiredService<Security.MosquittoFileSecurity>());
        services.AddSingleton<Security.IClientAuthorizer>(sp => sp.GetRequiredService<Security.MosquittoFileSecurity>());
        services.AddSingleton<GatewayIdentity>();
        services.AddSingleton<GatewayEndpoints>();
        services.AddSingleton<IBrokerCluster, OrleansBrokerCluster>();
        services.AddSingleton<LocalSubscriptions>();
        services.AddSingleton<LocalFanOut>();
        services.AddSingleton<DepartedSessions>();
        services.AddSingleton<DeliveredBatches>();
        services.AddSingleton<GatewayDeliveryObserver>();
        services.AddSingleton<ConnectedClients>();
        services.AddSingleton<KeepAliveSweep>();
        services.AddHostedService(sp => sp.GetRequiredService<KeepAliveSweep>());
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<BrokerConnectionHandler>();
        services.AddSingleton<Listeners.ConfiguredListeners>();
        services.AddHostedService<GatewayRegistration>();
        services.AddHostedService<GatewayShutdown>();
        services.AddHostedService<Telemetry.GatewayMetrics>();
        services.AddGatewayStatus();
        services.AddConnections();
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets.SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        if (configuration.GetSection(Security.SecurityOptions.Section).Get<Security.SecurityOptions>() is { DynamicSecurityEnabled: true })
        {
            Security.DynamicSecurity.DynamicSecurityServiceCollectionExtensions.AddDynamicSecurity(services);
        }

        return services;
    }
}
