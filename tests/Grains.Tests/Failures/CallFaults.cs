using System.Collections.Concurrent;

namespace MqttCluster.Grains.Tests.Failures;

/// <summary>
/// A grain call filter registered in every test silo that lets a test delay, fail or lose the answer of chosen
/// calls. Calls to gateway observers are intercepted where they leave the silo (outgoing), calls to grains where
/// they arrive (incoming), so each call passes one rule once. With no rule a call runs untouched.
/// </summary>
public sealed class CallFaults : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private readonly ConcurrentQueue<CallFault> _faults = new();

    /// <summary>Applies <paramref name="handle"/> (given the call to run) to the next <paramref name="times"/>
    /// calls that <paramref name="matches"/> selects.</summary>
    public CallFault Add(Func<IGrainCallContext, bool> matches, Func<Func<Task>, Task> handle, int times = int.MaxValue)
    {
        var fault = new CallFault(matches, handle, times);
        _faults.Enqueue(fault);
        return fault;
    }

    /// <summary>The next <paramref name="times"/> matching calls run, then fail as if their answer never came
    /// (what a topic grain sees when a gateway's answer is lost on its way back).</summary>
    public CallFault LoseAnswers(Func<IGrainCallContext, bool> matches, int times = int.MaxValue, Func<Task>? beforeLoss = null) =>
        Add(matches, async call =>
        {
            await call();
            if (beforeLoss is not null)
            {
                await beforeLoss();
            }

            throw new TimeoutException("Answer lost (test fault).");
        }, times);

    /// <summary>The next <paramref name="times"/> matching calls fail with <paramref name="failure"/> without running.</summary>
    public CallFault Fail(Func<IGrainCallContext, bool> matches, Func<Exception> failure, int times = int.MaxValue) =>
        Add(matches, _ => Task.FromException(failure()), times);

    Task IIncomingGrainCallFilter.Invoke(IIncomingGrainCallContext context) =>
        IsObserverCall(context) ? context.Invoke() : InvokeAsync(context);

    Task IOutgoingGrainCallFilter.Invoke(IOutgoingGrainCallContext context) =>
        IsObserverCall(context) ? InvokeAsync(context) : context.Invoke();

    private static bool IsObserverCall(IGrainCallContext context) => context.InterfaceMethod.DeclaringType is { } type && typeof(IGrainObserver).IsAssignableFrom(type);

    private Task InvokeAsync(IGrainCallContext context)
    {
        foreach (var fault in _faults)
        {
            if (fault.TryClaim(context))
            {
                return fault.HandleAsync(context.Invoke);
            }
        }

        return context.Invoke();
    }
}
