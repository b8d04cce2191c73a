namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>The same broker for a test that restarts it (its own instance, so other tests keep theirs).</summary>
public sealed class DynamicSecurityRestartBrokerFixture : DynamicSecurityBrokerFixture;
