using System.Globalization;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// mosquitto_pub and mosquitto_sub (Debian package mosquitto-clients) pointed at one MQTT port. Every call is
/// bounded: publishers by a deadline, subscribers by <c>-W</c> (mosquitto_sub's own timeout) as well.
/// </summary>
public static class MosquittoClients
{
    public const string PublishCommand = "/usr/bin/mosquitto_pub";
    public const string SubscribeCommand = "/usr/bin/mosquitto_sub";

    /// <summary>Seconds a subscriber may run (<c>-W</c>); tests normally end it much sooner with <c>-C</c>.</summary>
    public const int SubscriberTimeoutSeconds = 60;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Runs mosquitto_pub with these arguments and asserts it succeeds.</summary>
    public static async Task PublishAsync(int port, params string[] arguments)
    {
        await using var publisher = Start(PublishCommand, port, arguments);
        await publisher.AssertSucceedsAsync(Timeout);
    }

    /// <summary>
    /// Starts <c>mosquitto_sub -t BASE/# -v -C N</c> and returns once it is subscribed. mosquitto_sub prints nothing
    /// on SUBACK, so a retained marker is published to BASE/ready first (through <paramref name="markerPort"/>); it
    /// arrives right after the SUBACK. <paramref name="messagesAfterMarker"/> more lines end the subscriber.
    /// </summary>
    public static async Task<ChildProcess> StartReadySubscriberAsync(int port, int markerPort, string baseTopic, int messagesAfterMarker, params string[] arguments)
    {
        var marker = $"{baseTopic}/ready";
        await PublishAsync(markerPort, "-t", marker, "-m", "ready", "-r", "-q", "1");
        var subscriber = Start(
            SubscribeCommand,
            port,
            ["-W", SubscriberTimeoutSeconds.ToString(CultureInfo.InvariantCulture), "-t", $"{baseTopic}/#", "-v",
             "-C", (messagesAfterMarker + 1).ToString(CultureInfo.InvariantCulture), .. arguments]);
        await subscriber.WaitForOutputLineAsync(l => l == $"{marker} ready", Timeout, $"the retained marker on '{marker}'");
        return subscriber;
    }

    private static ChildProcess Start(string command, int port, string[] arguments)
    {
        Assert.True(File.Exists(command), $"{command} is missing: install the Debian package mosquitto-clients (apt-get install mosquitto-clients).");
        return ChildProcess.Start(command, ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. arguments]);
    }
}
