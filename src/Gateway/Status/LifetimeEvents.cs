using Microsoft.Extensions.Hosting;

namespace MqttCluster.Gateway.Status;

/// <summary>Waits for the host to have started: the listeners are bound and the gateway registered.</summary>
internal static class LifetimeEvents
{
    public static Task StartedAsync(IHostApplicationLifetime lifetime, CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }
}
