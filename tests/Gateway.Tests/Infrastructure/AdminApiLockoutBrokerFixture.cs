namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>Its own broker for the failed-login test, whose lockout would refuse other tests' requests.</summary>
public sealed class AdminApiLockoutBrokerFixture : DynamicSecurityBrokerFixture;
