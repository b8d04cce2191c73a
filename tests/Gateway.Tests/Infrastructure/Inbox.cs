using System.Buffers;
using System.Threading.Channels;
using MQTTnet;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>What a test client received, in order, to be awaited with a timeout. A timeout says what
/// <paramref name="brokerContext"/> tells about the broker meanwhile.</summary>
public sealed class Inbox(Func<string>? brokerContext = null)
{
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();
    private readonly List<MqttApplicationMessageReceivedEventArgs> _unacknowledged = [];

    /// <summary>When set, QoS 1/2 messages are not acknowledged until <see cref="AcknowledgeAllAsync"/>.</summary>
    public bool HoldAcknowledgements { get; set; }

    /// <summary>Sends the held PUBACK / PUBREC packets.</summary>
    public async Task AcknowledgeAllAsync()
    {
        MqttApplicationMessageReceivedEventArgs[] held;
        lock (_unacknowledged)
        {
            held = [.. _unacknowledged];
            _unacknowledged.Clear();
        }

        foreach (var args in held)
        {
            await args.AcknowledgeAsync(CancellationToken.None);
        }
    }

    internal Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        if (HoldAcknowledgements)
        {
            args.AutoAcknowledge = false;
            lock (_unacknowledged)
            {
                _unacknowledged.Add(args);
            }
        }

        _messages.Writer.TryWrite(new ReceivedMessage(args.ApplicationMessage, args.ApplicationMessage.Payload.ToArray(), args.PacketIdentifier));
        return Task.CompletedTask;
    }

    public Task<ReceivedMessage> NextAsync(string awaited, TimeSpan? timeout = null) =>
        Within.Async(_messages.Reader.ReadAsync().AsTask(), awaited, timeout, brokerContext);

    public async Task<IReadOnlyList<ReceivedMessage>> TakeAsync(int count, string awaited, TimeSpan? timeout = null)
    {
        var received = new List<ReceivedMessage>(count);
        await Within.Async(ReadAsync(), $"{awaited} ({count} messages)", timeout, brokerContext);
        return received;

        async Task ReadAsync()
        {
            while (received.Count < count)
            {
                received.Add(await _messages.Reader.ReadAsync());
            }
        }
    }

    /// <summary>
    /// Everything received up to and including the first message with <paramref name="markerText"/> as payload.
    /// A test proves that something did NOT arrive by publishing a marker after it and seeing only the marker.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMessage>> UntilMarkerAsync(string markerText, TimeSpan? timeout = null)
    {
        var received = new List<ReceivedMessage>();
        await Within.Async(ReadAsync(), $"marker message '{markerText}'", timeout, brokerContext);
        return received;

        async Task ReadAsync()
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync();
                received.Add(message);
                if (message.Text == markerText)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Messages received so far and not yet taken.</summary>
    public IReadOnlyList<ReceivedMessage> Drain()
    {
        var received = new List<ReceivedMessage>();
        while (_messages.Reader.TryRead(out var message))
        {
            received.Add(message);
        }

        return received;
    }
}
