namespace MqttCluster.LoadGenerator;

/// <summary>Who publishes to whom.</summary>
public enum LoadShape
{
    /// <summary>N publishers, each to its own subscriber on its own topic.</summary>
    Pairwise,

    /// <summary>N publishers on N topics, one subscriber with a single-level wildcard filter.</summary>
    FanIn,

    /// <summary>One publisher, N subscribers of its topic.</summary>
    FanOut,

    /// <summary>N publishers, M subscribers in one shared subscription group ($share/bench/...).</summary>
    Shared,

    /// <summary>N connections that only keep alive (for memory per connection).</summary>
    Idle,
}
