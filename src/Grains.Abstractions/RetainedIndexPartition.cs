namespace MqttCluster.Grains;

/// <summary>
/// Splits the retained index by the first topic level, so no single grain holds every retained topic. A filter
/// with a literal first level asks one partition; one starting with a wildcard asks all of them.
/// </summary>
public static class RetainedIndexPartition
{
    public const int Count = 16;

    public static int ForTopic(string topic) => ForFirstLevel(FirstLevel(topic));

    /// <summary>The partitions that may hold topics matching <paramref name="filter"/>.</summary>
    public static IEnumerable<int> ForFilter(string filter)
    {
        var first = FirstLevel(filter);
        if (first is "+" or "#")
        {
            return Enumerable.Range(0, Count);
        }

        return [ForFirstLevel(first)];
    }

    private static ReadOnlySpan<char> FirstLevel(string name)
    {
        var slash = name.IndexOf('/');
        return slash < 0 ? name : name.AsSpan(0, slash);
    }

    private static int ForFirstLevel(ReadOnlySpan<char> level) => StablePartition.Of(level, Count);
}
