namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Base of test classes sharing one broker: after every test the broker must still run and must have logged no
/// error while the test ran (checked here, per test, because xunit 2 only prints class-fixture cleanup failures).
/// </summary>
public abstract class BrokerTest(BrokerFixture fixture) : IAsyncLifetime
{
    private int _logMark;

    protected BrokerProcess Broker { get; } = fixture.Broker;

    public virtual Task InitializeAsync()
    {
        _logMark = Broker.Log.Lines.Count;
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync()
    {
        Broker.AssertHealthySince(_logMark, "while the test ran");
        return Task.CompletedTask;
    }
}
