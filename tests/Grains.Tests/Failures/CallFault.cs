namespace MqttCluster.Grains.Tests.Failures;

/// <summary>One rule of <see cref="CallFaults"/>: which calls, how many, and what happens to them.</summary>
public sealed class CallFault(Func<IGrainCallContext, bool> matches, Func<Func<Task>, Task> handle, int times)
{
    private readonly TaskCompletionSource _firstHit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _left = times;
    private int _hits;

    /// <summary>How many calls this rule has taken.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Completes when the rule took its first call.</summary>
    public Task FirstHit => _firstHit.Task;

    /// <summary>No further call is taken.</summary>
    public void Stop() => Interlocked.Exchange(ref _left, 0);

    internal bool TryClaim(IGrainCallContext context)
    {
        if (Volatile.Read(ref _left) <= 0 || !matches(context) || Interlocked.Decrement(ref _left) < 0)
        {
            return false;
        }

        Interlocked.Increment(ref _hits);
        _firstHit.TrySetResult();
        return true;
    }

    internal Task HandleAsync(Func<Task> call) => handle(call);
}
