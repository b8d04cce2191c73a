namespace MqttCluster.Grains;

/// <summary>
/// One partition of the retained index: which topics of this partition hold a retained message, so a wildcard
/// subscription finds them without scanning topic grains. Keyed by <see cref="RetainedIndexPartition"/>.
/// </summary>
[Alias("mqtt.IRetainedIndexGrain")]
public interface IRetainedIndexGrain : IGrainWithIntegerKey
{
    [Alias("Add")]
    Task AddAsync(string topic);

    [Alias("Remove")]
    Task RemoveAsync(string topic);

    [Alias("Match")]
    Task<string[]> MatchAsync(string filter);

    /// <summary>How many topics of this partition hold a retained message.</summary>
    [Alias("Count")]
    Task<int> CountAsync();
}
