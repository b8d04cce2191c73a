namespace MqttCluster.Gateway.Subscriptions;

/// <summary>The local members of one shared subscription group, taken in turn. Callers lock.</summary>
internal sealed class SharedGroupMembers
{
    private readonly List<Subscription> _members = [];
    private int _cursor;

    public int Count => _members.Count;

    public void Add(Subscription subscription) => _members.Add(subscription);

    public bool Remove(Subscription subscription) => _members.Remove(subscription);

    public Subscription? Next(ISubscriber? excluding)
    {
        for (var tried = 0; tried < _members.Count; tried++)
        {
            var member = _members[(int)((uint)_cursor++ % (uint)_members.Count)];
            if (!ReferenceEquals(member.Subscriber, excluding))
            {
                return member;
            }
        }

        return null;
    }
}
