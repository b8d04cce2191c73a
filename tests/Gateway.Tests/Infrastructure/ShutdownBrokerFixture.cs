namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker of its own for the test that stops it.</summary>
public sealed class ShutdownBrokerFixture : BrokerFixture;
