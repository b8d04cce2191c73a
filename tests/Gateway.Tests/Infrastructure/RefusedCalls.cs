namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A grain call filter in the broker's silo that makes the cluster refuse chosen calls: the next
/// <see cref="Refuse"/>d number of calls of a grain method on a grain key (a topic, a client id) fail without running,
/// with an error the gateway does not retry.
/// </summary>
public sealed class RefusedCalls : IIncomingGrainCallFilter
{
    private readonly Dictionary<(string Method, string Key), (int Left, TaskCompletionSource Done)> _refusals = [];

    /// <summary>Returns a task that completes when the last of the <paramref name="times"/> calls was refused.</summary>
    public Task Refuse(string method, string key, int times)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_refusals)
        {
            _refusals[(method, key)] = (times, done);
        }

        return done.Task;
    }

    public Task Invoke(IIncomingGrainCallContext context) =>
        TryClaim(context.InterfaceMethod.Name, context.TargetId.Key.ToString()!)
            ? Task.FromException(new InvalidOperationException($"{context.InterfaceMethod.Name} refused (test fault)."))
            : context.Invoke();

    private bool TryClaim(string method, string key)
    {
        lock (_refusals)
        {
            if (_refusals.TryGetValue((method, key), out var refusal) && refusal.Left > 0)
            {
                _refusals[(method, key)] = (refusal.Left - 1, refusal.Done);
                if (refusal.Left == 1)
                {
                    refusal.Done.TrySetResult();
                }

                return true;
            }

            return false;
        }
    }
}
