using Microsoft.Extensions.DependencyInjection;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker whose cluster refuses the calls a test names (<see cref="RefusedCalls"/>).</summary>
public sealed class RefusingBrokerFixture : BrokerFixture
{
    public RefusedCalls Refusals { get; } = new();

    // The silo runs every IIncomingGrainCallFilter registered in its services.
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IIncomingGrainCallFilter>(Refusals);
}
