namespace MqttCluster.LoadGenerator;

/// <summary>One load run, as given on the command line (see <see cref="LoadCommandLine"/>).</summary>
public sealed record LoadOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    /// <summary>Where publishers connect, when not to <see cref="Port"/> (another gateway of a cluster).</summary>
    public int? PublishPort { get; init; }

    public BrokerTransport Transport { get; init; } = BrokerTransport.Tcp;

    public string WebSocketPath { get; init; } = "/mqtt";

    /// <summary>4 (MQTT 3.1.1) or 5.</summary>
    public int ProtocolVersion { get; init; } = 4;

    public LoadShape Shape { get; init; } = LoadShape.Pairwise;

    /// <summary>Publishing clients (pairwise: pairs; fan-out: always 1; idle: unused).</summary>
    public int Publishers { get; init; } = 10;

    /// <summary>Subscribing clients (pairwise: same as publishers; fan-in: always 1; idle: connections).</summary>
    public int Subscribers { get; init; } = 10;

    public int Qos { get; init; }

    /// <summary>Payload bytes; at least <see cref="PayloadStamp.Size"/> (the stamp the latency is read from).</summary>
    public int PayloadSize { get; init; } = 64;

    /// <summary>Messages per second over all publishers; 0 = as fast as the broker takes them.</summary>
    public double Rate { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Messages per publisher; when set the run ends after them instead of after a duration.</summary>
    public long? MessagesPerPublisher { get; init; }

    /// <summary>
    /// The closed-loop mode: without --rate, publishers wait while more deliveries than this are on their way.
    /// 0 (the default) never waits: publishers run open loop, as devices do, and a broker's queueing and drops show.
    /// </summary>
    public long MaxBacklog { get; init; }

    /// <summary>
    /// At a fixed rate, how often a publisher writes what is due, in one write: a client with a send queue batches
    /// like this; a longer interval saves the generator CPU (more messages per write) but makes bursts.
    /// </summary>
    public TimeSpan WriteInterval { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>QoS 1/2 messages a publisher keeps unacknowledged at once (its own in-flight window).</summary>
    public int Inflight { get; init; } = 100;

    /// <summary>How long to wait for the last messages after publishing stopped.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Subscribers keep MQTTnet's 8 KB socket buffers, like small devices.</summary>
    public bool SmallSubscriberBuffers { get; init; }

    /// <summary>Filters that match nothing, subscribed before the run (to measure routing cost).</summary>
    public int BackgroundSubscriptions { get; init; }

    /// <summary>Idle shape: how long the connections stay open once all are connected.</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Idle shape: how long to watch the broker's RSS after the connections closed (needs --broker-pid).</summary>
    public TimeSpan AfterClose { get; init; }

    /// <summary>Clients that connect at the same time.</summary>
    public int ConnectConcurrency { get; init; } = 50;

    /// <summary>Broker processes whose CPU time (utime + stime from /proc) is reported for the run.</summary>
    public IReadOnlyList<int> BrokerPids { get; init; } = [];

    /// <summary>A name for the broker in the report (e.g. "ours", "mosquitto").</summary>
    public string Label { get; init; } = "broker";

    /// <summary>One JSON line instead of the text report.</summary>
    public bool Json { get; init; }

    /// <summary>Publishers in this run, after the shape's rules.</summary>
    public int PublisherCount => Shape switch
    {
        LoadShape.FanOut => 1,
        LoadShape.Idle => 0,
        _ => Publishers,
    };

    /// <summary>Subscribers in this run, after the shape's rules.</summary>
    public int SubscriberCount => Shape switch
    {
        LoadShape.Pairwise => Publishers,
        LoadShape.FanIn => 1,
        _ => Subscribers,
    };
}
