namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// A gateway's registrations with the cluster that must be renewed (with the route index, the gateway directory,
/// dynamic security): runs the refresh every interval until stopped; a failed round is reported and the next one
/// runs as usual, since the grain it calls may be moving to another silo.
/// </summary>
internal static class PeriodicRefresh
{
    public static async Task RunAsync(TimeSpan interval, TimeProvider timeProvider, Func<Task> refresh, Action<Exception> failed, CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    await refresh();
                }
                catch (Exception exception) when (!stopping.IsCancellationRequested)
                {
                    failed(exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
