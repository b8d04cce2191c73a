namespace MqttCluster.Grains;

/// <summary>FNV-1a over a string: the same value in every process and on every machine, unlike string.GetHashCode.</summary>
public static class StablePartition
{
    public static int Of(ReadOnlySpan<char> key, int partitions)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)partitions);
    }
}
