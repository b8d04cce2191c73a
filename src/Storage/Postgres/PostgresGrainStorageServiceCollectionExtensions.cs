using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Hosting;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage.Postgres;

/// <summary>Registers <see cref="PostgresGrainStorage"/> as a named Orleans grain storage provider.</summary>
public static class PostgresGrainStorageServiceCollectionExtensions
{
    /// <summary>Adds PostgreSQL grain storage named <paramref name="name"/> (the name used in <c>[PersistentState(..., name)]</c>).</summary>
    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddPostgresGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds PostgreSQL grain storage as the default provider (grains that name no storage).</summary>
    public static ISiloBuilder AddPostgresGrainStorageAsDefault(this ISiloBuilder builder, Action<PostgresGrainStorageOptions> configure)
        => builder.AddPostgresGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds PostgreSQL grain storage named <paramref name="name"/> to a silo's services.</summary>
    public static IServiceCollection AddPostgresGrainStorage(this IServiceCollection services, string name, Action<PostgresGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<PostgresGrainStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresGrainStorageOptions>, PostgresGrainStorageOptionsValidator>());

        // AddGrainStorage registers the keyed IGrainStorage and, because the type is an
        // ILifecycleParticipant<ISiloLifecycle>, subscribes it to the silo lifecycle (reading the options validates them).
        // The container owns the instance and disposes it (and its connection pool) with the silo's services.
        services.AddGrainStorage(name, Create);
        return services;
    }

    private static PostgresGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<PostgresGrainStorageOptions>>().Get(name);
        return new PostgresGrainStorage(
            name,
            options,
            options.GrainStorageSerializer ?? new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<PostgresGrainStorage>>());
    }
}
