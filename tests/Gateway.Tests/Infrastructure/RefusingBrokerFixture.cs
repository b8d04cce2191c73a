using Microsoft.Extensions.DependencyInjection;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker whose cluster refuses (<see cref="RefusedCalls"/>) or holds (<see cref="HeldCalls"/>) the calls
/// a test names.</summary>
public sealed class RefusingBrokerFixture : BrokerFixture
{
    public RefusedCalls Refusals { get; } = new();

    public HeldCalls Holds { get; } = new();

    // The silo runs every IIncomingGrainCallFilter registered in its services.
    protected override void ConfigureServices(IServiceCollection services)
    {
        services.AddSingleton<IIncomingGrainCallFilter>(Refusals);
        services.AddSingleton<IIncomingGrainCallFilter>(Holds);
    }
}
