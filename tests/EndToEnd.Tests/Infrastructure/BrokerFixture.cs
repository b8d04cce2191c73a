namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One broker process shared by the tests of a class (each start costs seconds); tests keep apart by using
/// unique topics. At the end the broker is stopped with Ctrl-C and must exit 0 having logged no error; xunit 2
/// only prints a failure here ("Test Class Cleanup Failure", its message in <see cref="CleanupFailureLog"/>), so <see cref="BrokerTest"/> checks the log after
/// every test and <c>ShutdownTests</c> asserts the Ctrl-C behaviour itself.
/// </summary>
public class BrokerFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new("broker");
    private BrokerProcess? _broker;

    public BrokerProcess Broker => _broker ?? throw new InvalidOperationException("The broker has not been started.");

    /// <summary>Settings beyond ports and data directory, e.g. <c>--Mqtt:MaxPacketSize=1024</c>.</summary>
    protected virtual string[] ExtraArguments => [];

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(_data.Path, ExtraArguments);

    public async Task DisposeAsync()
    {
        try
        {
            if (_broker is not null)
            {
                await CleanupFailureLog.RunAsync(GetType().FullName!, StopAndCheckAsync);
            }
        }
        finally
        {
            if (_broker is not null)
            {
                await _broker.DisposeAsync();
            }

            _data.Dispose();
        }
    }

    private async Task StopAndCheckAsync()
    {
        Broker.AssertAlive("at the end of the test class");
        var exitCode = await Broker.StopAsync();
        Assert.True(exitCode == 0, $"The broker exited with {exitCode} after Ctrl-C.\n{Broker.Describe()}");
        var errors = Broker.Log.Lines.Where(BrokerLogLines.IsErrorOrWorse).ToList();
        Assert.True(errors.Count == 0, $"The broker logged errors:\n{string.Join('\n', errors)}\n{Broker.Describe()}");
    }
}
