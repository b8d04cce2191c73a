namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A grain call filter in the broker's silo that holds chosen calls, as a silo failover stalls them: calls of a grain
/// method on a grain key wait, unanswered, until <see cref="Release"/>. Registered as an incoming filter it holds
/// them where they arrive (the grain waits with them); as an outgoing filter, before they leave the caller (the grain
/// takes other calls meanwhile: the call is still on its way).
/// </summary>
public sealed class HeldCalls : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private readonly Dictionary<(string Method, string Key), (TaskCompletionSource Released, TaskCompletionSource Reached)> _holds = [];

    /// <summary>Holds the calls from now on; the returned task completes when the first one is held.</summary>
    public Task Hold(string method, string key)
    {
        var hold = (new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_holds)
        {
            _holds[(method, key)] = hold;
        }

        return hold.Item2.Task;
    }

    public void Release(string method, string key)
    {
        lock (_holds)
        {
            if (_holds.Remove((method, key), out var hold))
            {
                hold.Released.TrySetResult();
            }
        }
    }

    public Task Invoke(IIncomingGrainCallContext context) => InvokeAsync(context);

    public Task Invoke(IOutgoingGrainCallContext context) => InvokeAsync(context);

    private async Task InvokeAsync(IGrainCallContext context)
    {
        (TaskCompletionSource Released, TaskCompletionSource Reached)? hold;
        lock (_holds)
        {
            hold = _holds.TryGetValue((context.InterfaceMethod.Name, context.TargetId.Key.ToString()!), out var found) ? found : null;
        }

        if (hold is { } held)
        {
            held.Reached.TrySetResult();
            await held.Released.Task;
        }

        await context.Invoke();
    }
}
