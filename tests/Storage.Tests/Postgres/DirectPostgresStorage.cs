using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MqttCluster.Storage.Postgres;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage.Tests.Postgres;

/// <summary>Builds <see cref="PostgresGrainStorage"/> instances without a silo, as the registration does.</summary>
public static class DirectPostgresStorage
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static PostgresGrainStorage Create(string connectionString, ILogger<PostgresGrainStorage>? logger = null) => new(
        "direct",
        new PostgresGrainStorageOptions { ConnectionString = connectionString },
        new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>()),
        Services.GetRequiredService<IActivatorProvider>(),
        TimeProvider.System,
        logger ?? NullLogger<PostgresGrainStorage>.Instance);
}
