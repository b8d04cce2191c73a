using Microsoft.Extensions.DependencyInjection;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker whose cluster refuses (<see cref="RefusedCalls"/>) or holds (<see cref="HeldCalls"/>) the calls
/// a test names.</summary>
public sealed class RefusingBrokerFixture : BrokerFixture
{
    public RefusedCalls Refusals { get; } = new();

    /// <summary>Calls held where they arrive: the grain waits with them.</summary>
    public HeldCalls Holds { get; } = new();

    /// <summary>Calls held before they leave the caller: the grain takes other calls meanwhile.</summary>
    public HeldCalls HeldOnTheWay { get; } = new();

    // The silo runs every grain call filter registered in its services.
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IIncomingGrainCallFilter>(Refusals);
        services.AddSingleton<IIncomingGrainCallFilter>(Holds);
        services.AddSingleton<IOutgoingGrainCallFilter>(HeldOnTheWay);
    }
}
