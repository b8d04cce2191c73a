namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker of its own for tests that restart it on its data directory.</summary>
public sealed class RestartBrokerFixture : BrokerFixture;
