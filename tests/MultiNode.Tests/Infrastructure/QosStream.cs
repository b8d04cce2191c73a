using System.Globalization;
using MQTTnet;
using MQTTnet.Protocol;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// A publisher sending numbered QoS 1 messages ("0", "1", ...) to one topic, one after the other (each waits for
/// its PUBACK) at a steady pace, in the background until stopped; records when each was sent and how it ended.
/// </summary>
public sealed class QosStream : IAsyncDisposable
{
    private readonly IMqttClient _publisher;
    private readonly string _topic;
    private readonly TimeSpan _pace;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PublishOutcome> _sent = [];
    private readonly Task _loop;

    private QosStream(IMqttClient publisher, string topic, TimeSpan pace)
    {
        _publisher = publisher;
        _topic = topic;
        _pace = pace;
        _loop = RunAsync();
    }

    /// <summary>What was published so far.</summary>
    public IReadOnlyList<PublishOutcome> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public static QosStream Start(MqttTestClient publisher, string topic, TimeSpan pace) => new(publisher.Mqtt, topic, pace);

    /// <summary>A stream from any client, e.g. one that reconnects elsewhere by itself (<see cref="FailoverClient"/>);
    /// publishes while it is disconnected fail at once and count as not acknowledged.</summary>
    public static QosStream Start(IMqttClient publisher, string topic, TimeSpan pace) => new(publisher, topic, pace);

    /// <summary>Stops after the publish in progress and returns everything published.</summary>
    public async Task<IReadOnlyList<PublishOutcome>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return Sent;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            var payload = i.ToString(CultureInfo.InvariantCulture);
            var message = new MqttApplicationMessageBuilder().WithTopic(_topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
            var sentAt = TestClock.Now;
            PublishOutcome outcome;
            try
            {
                var result = await _publisher.PublishAsync(message, CancellationToken.None);
                outcome = new PublishOutcome(payload, sentAt, TestClock.Now - sentAt, result.IsSuccess, result.ReasonCode.ToString());
            }
            catch (Exception exception)
            {
                outcome = new PublishOutcome(payload, sentAt, TestClock.Now - sentAt, false, $"{exception.GetType().Name}: {exception.Message}");
            }

            lock (_sent)
            {
                _sent.Add(outcome);
            }

            // Pacing, not waiting for a condition.
            await Task.Delay(_pace, CancellationToken.None);
        }
    }
}
