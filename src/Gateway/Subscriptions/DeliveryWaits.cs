namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// What a delivery to this gateway waits for before it is answered, collected while it fans out: subscribers whose
/// QoS 1/2 queue is congested (Mqtt:SlowSubscribers = PushBack), and hand-offs of messages to session grains for
/// sessions whose connection here has just ended. The topic grain acknowledges the publishers only after the answer,
/// so a hand-off that fails fails the delivery, which the topic grain retries and rescues instead of the message
/// being lost after its publisher was told it arrived. Empty, and free, in steady state.
/// </summary>
public struct DeliveryWaits
{
    private List<ISubscriber>? _congested;
    private List<Task>? _handOffs;

    public void NoteCongested(ISubscriber subscriber)
    {
        if (_congested?.Contains(subscriber) != true)
        {
            (_congested ??= []).Add(subscriber);
        }
    }

    public void AddHandOff(Task handOff) => (_handOffs ??= []).Add(handOff);

    /// <summary>Completes when every hand-off is stored and every congested subscriber is relieved; faults when a
    /// hand-off failed.</summary>
    public readonly Task WhenDone()
    {
        if (_congested is null && _handOffs is null)
        {
            return Task.CompletedTask;
        }

        var waits = new List<Task>((_congested?.Count ?? 0) + (_handOffs?.Count ?? 0));
        if (_congested is not null)
        {
            waits.AddRange(_congested.Select(s => s.WhenRelieved()));
        }

        if (_handOffs is not null)
        {
            waits.AddRange(_handOffs);
        }

        return waits.Count == 1 ? waits[0] : Task.WhenAll(waits);
    }
}
