namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// mosquitto_pub and mosquitto_sub (Debian package mosquitto-clients) pointed at one broker. Every call is
/// bounded: publishers by a deadline, subscribers by <c>-W</c> (mosquitto_sub's own timeout) as well.
/// </summary>
public sealed class MosquittoClients(BrokerProcess broker)
{
    public const string PublishCommand = "/usr/bin/mosquitto_pub";
    public const string SubscribeCommand = "/usr/bin/mosquitto_sub";

    /// <summary>Seconds a subscriber may run (<c>-W</c>); tests normally end it much sooner with <c>-C</c>.</summary>
    public const int SubscriberTimeoutSeconds = 20;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(SubscriberTimeoutSeconds + 5);

    /// <summary>Runs mosquitto_pub with these arguments and asserts it succeeds.</summary>
    public async Task PublishAsync(params string[] arguments)
    {
        await using var publisher = StartPublisher(arguments);
        await publisher.AssertSucceedsAsync(Timeout, broker.Describe);
    }

    public ClientProcess StartPublisher(params string[] arguments) => Start(PublishCommand, arguments);

    /// <summary>Starts mosquitto_sub; add <c>-C</c> so it exits after the expected messages.</summary>
    public ClientProcess StartSubscriber(params string[] arguments) =>
        Start(SubscribeCommand, ["-W", SubscriberTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);

    /// <summary>
    /// Starts <c>mosquitto_sub -t BASE/# -v</c> and returns once it is subscribed. mosquitto_sub prints nothing on
    /// SUBACK, so a retained marker is published to BASE/ready first; it arrives right after the SUBACK. The marker
    /// counts towards <c>-C</c>, so pass the number of messages expected after it.
    /// </summary>
    public async Task<ClientProcess> StartReadySubscriberAsync(string baseTopic, int messagesAfterMarker, params string[] arguments)
    {
        var marker = $"{baseTopic}/ready";
        await PublishAsync("-t", marker, "-m", "ready", "-r", "-q", "1");
        var subscriber = StartSubscriber(
            ["-t", $"{baseTopic}/#", "-v", "-C", (messagesAfterMarker + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);
        await subscriber.WaitForOutputLineAsync(IsMarker(marker), Timeout, $"the retained marker on '{marker}'", broker.Describe);
        return subscriber;
    }

    /// <summary>Matches the marker line with <c>-v</c> ("T ready") and with formats such as <c>-F "%r %q %t %p"</c>.</summary>
    private static Func<string, bool> IsMarker(string markerTopic) =>
        line => line.Contains(markerTopic + " ", StringComparison.Ordinal) && line.EndsWith(" ready", StringComparison.Ordinal);

    private ClientProcess Start(string command, string[] arguments)
    {
        Assert.True(File.Exists(command), $"{command} is missing: install the Debian package mosquitto-clients (apt-get install mosquitto-clients).");
        return ClientProcess.Start(command, ["-h", "127.0.0.1", "-p", broker.TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. arguments]);
    }
}
