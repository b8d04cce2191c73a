namespace MqttCluster.LoadGenerator;

/// <summary>Topics and filters of a run, all under bench/{runId}/ so runs never see each other's messages.</summary>
public sealed class TopicPlan(LoadOptions options, string runId)
{
    private readonly string _root = $"bench/{runId}";

    /// <summary>How many subscribers receive each published message.</summary>
    public int DeliveriesPerMessage => options.Shape == LoadShape.FanOut ? options.SubscriberCount : 1;

    public string PublishTopic(int publisher) => options.Shape switch
    {
        LoadShape.Pairwise => $"{_root}/pair/{publisher}",
        LoadShape.FanIn => $"{_root}/in/{publisher}",
        LoadShape.FanOut => $"{_root}/out",
        LoadShape.Shared => $"{_root}/shared/{publisher}",
        _ => throw new InvalidOperationException($"{options.Shape} has no publishers"),
    };

    public string SubscriptionFilter(int subscriber) => options.Shape switch
    {
        LoadShape.Pairwise => PublishTopic(subscriber),
        LoadShape.FanIn => $"{_root}/in/+",
        LoadShape.FanOut => PublishTopic(0),
        LoadShape.Shared => $"$share/bench/{_root}/shared/+",
        _ => throw new InvalidOperationException($"{options.Shape} has no subscriptions"),
    };

    /// <summary>
    /// A filter no publication of the run matches: mostly exact names, every tenth with a single-level and every
    /// tenth with a multi-level wildcard, as device fleets subscribe.
    /// </summary>
    public string BackgroundFilter(int index) => (index % 10) switch
    {
        0 => $"{_root}/background/{index / 100}/+/{index}",
        1 => $"{_root}/background/{index / 100}/{index}/#",
        _ => $"{_root}/background/{index / 100}/{index}",
    };
}
