namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Writes a bridge's state with at most one storage write in flight: changes made while one is on its way ride on
/// the next, and everyone waiting for them is answered by it (Orleans' Chirper sample coalesces the same way). Used
/// on the grain's scheduler only.
/// </summary>
internal sealed class BridgeStateWriter(IPersistentState<BridgeState> state, BridgeOutbox outbox, BridgeIncomingSession incoming, string bridge)
{
    private bool _writing;
    private TaskCompletionSource? _next;

    /// <summary>Completes once a write that began after the call is done (faults when that write failed).</summary>
    public async Task WriteAsync()
    {
        if (_writing)
        {
            _next ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await _next.Task;
            return;
        }

        _writing = true;
        try
        {
            await WriteOnceAsync();
            while (_next is { } waiting)
            {
                _next = null;
                try
                {
                    await WriteOnceAsync();
                    waiting.TrySetResult();
                }
                catch (Exception exception)
                {
                    waiting.TrySetException(exception);
                    throw;
                }
            }
        }
        finally
        {
            _writing = false;
            _next?.TrySetException(new InvalidOperationException($"Storing bridge '{bridge}' failed."));
            _next = null;
        }
    }

    private Task WriteOnceAsync()
    {
        state.State.Queue = outbox.Reliable();
        state.State.IncomingAwaitingRelease = incoming.AwaitingRelease();
        return state.WriteStateAsync();
    }
}
