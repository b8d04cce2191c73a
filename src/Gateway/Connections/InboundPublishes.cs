using System.Diagnostics;
using MqttCluster.Core.Telemetry;
using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Gateway.Transport;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Client-to-broker PUBLISH of one connection, QoS 0/1/2: checks each packet (QoS, RETAIN, packet id, receive
/// maximum, size, ACL, topic alias, publish rate), hands it to the <see cref="InboundPublishForwarder"/> and, once the
/// cluster answered, acknowledges it (PUBACK / PUBREC, and PUBCOMP on PUBREL) through
/// <see cref="InboundAcknowledgements"/>.
/// </summary>
internal sealed class InboundPublishes
{
    private readonly MqttConnection _connection;
    private readonly GatewayServices _services;
    private readonly InboundPublishForwarder _forwarder;
    private InboundTopicAliases? _topicAliases;
    private PublishRateLimiter? _publishRate;
    private bool _publishRateLogged;

    public InboundPublishes(MqttConnection connection, GatewayServices services, MqttPacketSender sender, MqttPacketReader reader)
    {
        _connection = connection;
        _services = services;
        _forwarder = new InboundPublishForwarder(this, services);
        Acknowledgements = new InboundAcknowledgements(sender, reader);
    }

    /// <summary>The QoS 1/2 packets not acknowledged yet, and the QoS 2 packet ids the session keeps.</summary>
    public InboundAcknowledgements Acknowledgements { get; }

    public string ClientId => _connection.ClientId;

    private bool IsV5 => _connection.ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>Checks one PUBLISH and queues it for the cluster; waits only when the queue is full, the receive
    /// maximum is reached or the client is over its publish rate.</summary>
    public async Task ReceiveAsync(MqttPublishPacket publish, AcceptedConnect client, CancellationToken closing)
    {
        await ThrottleAsync(closing);
        var topic = (_topicAliases ??= new InboundTopicAliases(_services.Options)).Resolve(publish, IsV5);
        var qos = (byte)publish.QualityOfServiceLevel;
        if (qos > 2)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.MalformedPacket, "PUBLISH with QoS 3 [MQTT-3.3.1-4].");
        }

        if (publish.Retain && !_services.Options.RetainAvailable)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.RetainNotSupported, "RETAIN is not available on this broker [MQTT-3.3.1-14].");
        }

        if (qos > 0 && publish.PacketIdentifier == 0)
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.ProtocolError, "QoS > 0 PUBLISH without packet identifier [MQTT-2.2.1-3].");
        }

        if (qos == 2 && !Acknowledgements.TryAcceptQos2(publish.PacketIdentifier))
        {
            return;
        }

        if (qos > 0 && IsV5 && Acknowledgements.Unacknowledged >= _services.Options.ReceiveMaximum)
        {
            // The quota is full. What waits for the cluster's answer (a failover stalls it for seconds) is the
            // broker's delay, not the client's fault: stop reading until the cluster answered, so TCP holds the
            // client back. Only what the client itself holds up (QoS 2 waiting for its PUBREL) can exceed the
            // quota, and that is a flood: 0x93.
            await WhenForwardedAsync();
        }

        if (qos > 0 && !Acknowledgements.TryCount(_services.Options.ReceiveMaximum))
        {
            throw new MqttProtocolError(MqttDisconnectReasonCode.ReceiveMaximumExceeded, $"More than {_services.Options.ReceiveMaximum} unacknowledged QoS 1/2 PUBLISH packets [MQTT-3.3.4-9].");
        }

        var now = _services.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var message = PublishPacketConversion.ToBrokerMessage(publish, topic, client.ClientId, now, _services.Options.UpgradeOutgoingQoS);
        _services.Metrics.MessageReceived(qos, message.Payload.Length);
        var span = MessageTracing.StartReceive(message, qos, client.ClientId, _services.GatewayId);
        if (span is not null)
        {
            message = message.ContinuedBy(span);
        }

        var tooLarge = _services.Options.MessageSizeLimit > 0 && message.Payload.Length > _services.Options.MessageSizeLimit;
        var reserved = SysTopics.IsReserved(topic);
        var denied = tooLarge || reserved || !client.Access.CanPublish(topic);
        if (tooLarge)
        {
            ConnectionLog.MessageTooLarge(_services.Logger, client.ClientId, topic, message.Payload.Length, _services.Options.MessageSizeLimit);
            _services.Metrics.MessagesDropped(DropReasons.TooLarge);
        }
        else if (reserved)
        {
            ConnectionLog.ReservedTopic(_services.Logger, client.ClientId, topic);
            _services.Metrics.MessagesDropped(DropReasons.NotAuthorized);
        }
        else if (denied)
        {
            ConnectionLog.AccessDenied(_services.Logger, client.ClientId, client.Access.Username ?? "anonymous", "publish to", topic);
            _services.Metrics.MessagesDropped(DropReasons.NotAuthorized);
        }

        try
        {
            await _forwarder.EnqueueAsync(new InboundPublish(message, qos, publish.PacketIdentifier, denied, span, tooLarge), closing);
        }
        catch (OperationCanceledException)
        {
            span?.Dispose();
        }
    }

    /// <summary>Completes once the PUBLISH packets read so far have been forwarded and answered.</summary>
    public Task WhenForwardedAsync() => _forwarder.WhenForwardedAsync();

    /// <summary>Waits until what was queued has been forwarded and acknowledged.</summary>
    public Task CompleteAsync() => _forwarder.CompleteAsync();

    /// <summary>PUBREL: the QoS 2 flow ends with PUBCOMP.</summary>
    public void Release(ushort packetId) => Acknowledgements.Release(packetId);

    /// <summary>Called by the forwarder, in arrival order, once the cluster accepted (or failed) a PUBLISH.</summary>
    internal void Acknowledge(InboundPublish publish, InboundPublishOutcome outcome)
    {
        var failed = outcome == InboundPublishOutcome.Failed;
        if (publish.Span is { } span)
        {
            if (failed || publish.Denied)
            {
                span.SetStatus(ActivityStatusCode.Error, failed ? "not accepted by the cluster" : "denied by the ACL");
            }

            span.Dispose();
        }

        if (publish.QualityOfService == 0)
        {
            return;
        }

        if (publish.Denied)
        {
            Acknowledgements.AcknowledgeDenied(publish);
            return;
        }

        if (failed && !IsV5)
        {
            // 3.1.1 has no way to say "not accepted": close without acknowledging, so the client sends it again.
            // A QoS 2 id leaves the accepted set first: the session keeps that set, and the client's re-send after
            // it reconnects must be forwarded, not taken for a duplicate of a message the cluster never took.
            if (publish.QualityOfService == 2)
            {
                Acknowledgements.Forget(publish.PacketId);
            }

            _connection.Close(MqttDisconnectReasonCode.ImplementationSpecificError);
            return;
        }

        Acknowledgements.Acknowledge(publish, outcome);
    }

    /// <summary>Mqtt:MaxPublishRatePerClient: pauses reading this client's connection while it is over its rate.</summary>
    private async Task ThrottleAsync(CancellationToken closing)
    {
        var rate = _services.Options.MaxPublishRatePerClient;
        if (rate <= 0)
        {
            return;
        }

        var wait = (_publishRate ??= new PublishRateLimiter(rate, _services.TimeProvider)).Take();
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        if (!_publishRateLogged)
        {
            _publishRateLogged = true;
            ConnectionLog.PublishRateLimited(_services.Logger, ClientId, rate);
        }

        await Task.Delay(wait, _services.TimeProvider, closing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
