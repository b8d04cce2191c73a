using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage.Tests;

/// <summary>Builds <see cref="SqliteGrainStorage"/> instances without a silo, as the registration does.</summary>
public static class DirectStorage
{
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static SqliteGrainStorage Create(string dataDirectory, bool synchronousFull = false) => new(
        "direct",
        new SqliteGrainStorageOptions { DataDirectory = dataDirectory, SynchronousFull = synchronousFull },
        new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>()),
        Services.GetRequiredService<IActivatorProvider>(),
        TimeProvider.System,
        NullLogger<SqliteGrainStorage>.Instance);
}
