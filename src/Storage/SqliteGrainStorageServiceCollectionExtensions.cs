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

namespace MqttCluster.Storage;

/// <summary>Registers <see cref="SqliteGrainStorage"/> as a named Orleans grain storage provider.</summary>
public static class SqliteGrainStorageServiceCollectionExtensions
{
    /// <summary>Adds SQLite grain storage named <paramref name="name"/> (the name used in <c>[PersistentState(..., name)]</c>).</summary>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSqliteGrainStorage(name, configure);
        return builder;
    }

    /// <summary>Adds SQLite grain storage as the default provider (grains that name no storage).</summary>
    public static ISiloBuilder AddSqliteGrainStorageAsDefault(this ISiloBuilder builder, Action<SqliteGrainStorageOptions> configure)
        => builder.AddSqliteGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configure);

    /// <summary>Adds SQLite grain storage named <paramref name="name"/> to a silo's services.</summary>
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, Action<SqliteGrainStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<SqliteGrainStorageOptions>(name).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteGrainStorageOptions>, SqliteGrainStorageOptionsValidator>());

        // AddGrainStorage registers the keyed IGrainStorage and, because the type is an
        // ILifecycleParticipant<ISiloLifecycle>, subscribes it to the silo lifecycle (which also validates the options).
        services.AddGrainStorage(name, Create);
        return services;
    }

    private static SqliteGrainStorage Create(IServiceProvider services, string name)
    {
        var options = services.GetRequiredService<IOptionsMonitor<SqliteGrainStorageOptions>>().Get(name);
        return new SqliteGrainStorage(
            name,
            options,
            options.GrainStorageSerializer ?? new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()),
            services.GetRequiredService<IActivatorProvider>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<SqliteGrainStorage>>());
    }
}
