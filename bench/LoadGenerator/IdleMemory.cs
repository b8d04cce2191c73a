namespace MqttCluster.LoadGenerator;

/// <summary>
/// The broker's resident memory (summed over --broker-pid) around an idle run, in KiB: before connecting, with the
/// connections open (at the end of --hold), and after they closed (10 s later and at the end of --after-close).
/// </summary>
public sealed record IdleMemory
{
    public required long IdleRssKb { get; init; }

    public required long RssKb { get; init; }

    /// <summary>(<see cref="RssKb"/> - <see cref="IdleRssKb"/>) per connection, in bytes.</summary>
    public required long BytesPerConnection { get; init; }

    /// <summary>10 s after the last connection closed (0 when --after-close is shorter).</summary>
    public required long RssAfterClose10sKb { get; init; }

    /// <summary>At the end of --after-close (0 without it).</summary>
    public required long RssAfterCloseKb { get; init; }

    public required double AfterCloseSeconds { get; init; }

    /// <summary>Seconds after the close until RSS was within 20 % of idle (null: not within --after-close).</summary>
    public required double? SecondsBackWithin20Percent { get; init; }
}
