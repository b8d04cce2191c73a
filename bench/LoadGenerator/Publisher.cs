using System.Buffers;
using System.Diagnostics;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// One publishing client: stamps and sends messages at its share of the rate (or as fast as the broker takes
/// them), keeping up to <see cref="LoadOptions.Inflight"/> QoS 1/2 messages unacknowledged.
/// </summary>
public sealed class Publisher(IMqttClient client, int index, string topic, LoadOptions options, DeliveryBacklog backlog)
{
    private readonly SemaphoreSlim _window = new(options.Inflight, options.Inflight);
    private long _sent;
    private long _failed;

    /// <summary>Messages the broker took: written (QoS 0) or acknowledged (QoS 1, 2).</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Messages refused by the broker or whose acknowledgement never came.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Messages started, including those still waiting for their acknowledgement.</summary>
    public long Started { get; private set; }

    public async Task RunAsync(long scheduleStart, double ratePerPublisher, CancellationToken stop)
    {
        var limit = options.MessagesPerPublisher ?? long.MaxValue;
        try
        {
            while (Started < limit && !stop.IsCancellationRequested)
            {
                if (ratePerPublisher > 0)
                {
                    var due = scheduleStart + (long)(Started / ratePerPublisher * Stopwatch.Frequency);
                    if (Stopwatch.GetTimestamp() < due)
                    {
                        await Task.Delay(1, stop);
                        continue;
                    }
                }
                else
                {
                    await backlog.WaitForRoomAsync(stop);
                }

                await PublishAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run is over.
        }

        // Wait for the acknowledgements still outstanding.
        for (var i = 0; i < options.Inflight; i++)
        {
            await _window.WaitAsync(CancellationToken.None);
        }
    }

    private async Task PublishAsync(CancellationToken stop)
    {
        var acknowledged = options.Qos != MqttQualityOfServiceLevel.AtMostOnce;
        if (acknowledged)
        {
            await _window.WaitAsync(stop);
        }

        // Stamped when handed to the client, so the latency does not include the wait for the window.
        var payload = new byte[options.PayloadSize];
        new PayloadStamp(Stopwatch.GetTimestamp(), index, (int)Started).WriteTo(payload);
        var message = new MqttApplicationMessage
        {
            Topic = topic,
            Payload = new ReadOnlySequence<byte>(payload),
            QualityOfServiceLevel = options.Qos,
        };
        Started++;
        backlog.Published();
        if (acknowledged)
        {
            _ = AwaitAcknowledgementAsync(client.PublishAsync(message, CancellationToken.None));
        }
        else
        {
            Count(await client.PublishAsync(message, CancellationToken.None));
        }
    }

    private async Task AwaitAcknowledgementAsync(Task<MqttClientPublishResult> publish)
    {
        try
        {
            Count(await publish);
        }
        catch (Exception e) when (e is MqttCommunicationException or OperationCanceledException)
        {
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            _window.Release();
        }
    }

    private void Count(MqttClientPublishResult result)
    {
        if (result.IsSuccess)
        {
            Interlocked.Increment(ref _sent);
        }
        else
        {
            Interlocked.Increment(ref _failed);
        }
    }
}
