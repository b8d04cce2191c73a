using Microsoft.Extensions.Logging;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Log lines of MQTT connections, one place so their wording and levels stay consistent.</summary>
internal static partial class ConnectionLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' connected from {Endpoint} (MQTT {Version}, clean {CleanSession}, keep-alive {KeepAlive}s)")]
    public static partial void Connected(ILogger logger, string clientId, string endpoint, MqttProtocolVersion version, bool cleanSession, ushort keepAlive);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' at {Endpoint} disconnected ({Reason})")]
    public static partial void Disconnected(ILogger logger, string clientId, string endpoint, MqttDisconnectReasonCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' at {Endpoint}: connection lost, {Detail}")]
    public static partial void ConnectionLost(ILogger logger, string clientId, string endpoint, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client '{ClientId}' at {Endpoint} broke the protocol ({Reason}): {Detail}; closing the connection")]
    public static partial void ProtocolViolation(ILogger logger, string clientId, string endpoint, MqttDisconnectReasonCode reason, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection from {Endpoint} sent no CONNECT within {Timeout}; closing it")]
    public static partial void ConnectTimeout(ILogger logger, string endpoint, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login of client '{ClientId}' as '{Username}' from {Endpoint} refused: {Reason}")]
    public static partial void LoginRefused(ILogger logger, string clientId, string username, string endpoint, MqttConnectReasonCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' ({Username}) may not {Action} '{Topic}': denied by the ACL")]
    public static partial void AccessDenied(ILogger logger, string clientId, string username, string action, string topic);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}': PUBLISH to '{Topic}' with {Bytes} bytes of payload dropped: above Mqtt:MessageSizeLimit ({Limit} bytes)")]
    public static partial void MessageTooLarge(ILogger logger, string clientId, string topic, int bytes, long limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client '{ClientId}' at {Endpoint} took none of its {Queued} waiting packets for {Timeout}; disconnecting it")]
    public static partial void SlowConsumer(ILogger logger, string clientId, string endpoint, int queued, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' may not publish to '{Topic}': $SYS topics are the broker's")]
    public static partial void ReservedTopic(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client '{ClientId}' publishes faster than {Rate}/s; reading its connection more slowly")]
    public static partial void PublishRateLimited(ILogger logger, string clientId, int rate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "CONNECT of client '{ClientId}' from {Endpoint} refused: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string clientId, string endpoint, MqttConnectReasonCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' at {Endpoint}: session taken over by a newer connection")]
    public static partial void SessionTakenOver(ILogger logger, string clientId, string endpoint);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client '{ClientId}': the session could not be reached; refusing the connection")]
    public static partial void SessionUnavailable(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client '{ClientId}': a late delivery could not be handed to the session grain; the delivery fails and the topic grain tries again")]
    public static partial void LateDeliveryHandOffFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client '{ClientId}': handing the session back to the cluster failed after retries; its unacknowledged messages are counted as dropped (reason handoff_failed)")]
    public static partial void SessionHandoffFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}' sent nothing for 1.5 x {KeepAlive}s keep-alive at {Endpoint}; closing the connection")]
    public static partial void KeepAliveExpired(ILogger logger, string clientId, string endpoint, ushort keepAlive);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client '{ClientId}': {Count} message(s) to '{Topic}' were not accepted by the cluster")]
    public static partial void PublishFailed(ILogger logger, string clientId, string topic, int count, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Client '{ClientId}': subscription to '{Filter}' refused: {Reason}")]
    public static partial void SubscriptionRefused(ILogger logger, string clientId, string filter, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client '{ClientId}': (un)subscribing '{Filter}' failed in the cluster")]
    public static partial void SubscribeFailed(ILogger logger, string clientId, string filter, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Client '{ClientId}': retained messages for '{Filter}' could not be read")]
    public static partial void RetainedLookupFailed(ILogger logger, string clientId, string filter, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client '{ClientId}' is not keeping up: {Dropped} message(s) dropped so far ({Reason})")]
    public static partial void MessagesDropped(ILogger logger, string clientId, long dropped, string reason);
}
