namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>A healthy client exchanging messages with the broker (a round trip every 50 ms) while a test runs.</summary>
public sealed class BackgroundTraffic : IAsyncDisposable
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(50);

    private readonly HealthyClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _roundTrips;
    private Exception? _failure;

    internal BackgroundTraffic(HealthyClient client)
    {
        _client = client;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops the traffic and asserts it kept flowing: no failed round trip, at least one done, and one
    /// more succeeds now.</summary>
    public async Task StopAndAssertAsync(BrokerProcess broker)
    {
        await _stop.CancelAsync();
        await _loop;
        Assert.True(_failure is null, $"The healthy client's traffic failed after {_roundTrips} round trip(s): {_failure}\n{broker.Describe()}");
        Assert.True(_roundTrips > 0, $"The healthy client completed no round trip while the test ran.\n{broker.Describe()}");
        try
        {
            await _client.RoundTripAsync();
        }
        catch (Exception exception)
        {
            Assert.Fail($"The healthy client's last round trip failed: {exception}\n{broker.Describe()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // A round trip in progress is allowed to finish (it has its own deadline), so every failure is real.
        using var pace = new PeriodicTimer(Pace);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _client.RoundTripAsync();
                Interlocked.Increment(ref _roundTrips);
                await pace.WaitForNextTickAsync(_stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            _failure = exception;
        }
    }
}
