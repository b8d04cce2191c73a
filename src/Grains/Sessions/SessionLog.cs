using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>What a session grain reports.</summary>
internal static partial class SessionLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': the previous connection did not hand over in time; continuing from the stored session")]
    public static partial void TakeOverFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': its gateway {GatewayId} was declared dead; the session is offline now")]
    public static partial void OwnerLost(ILogger logger, string clientId, string? gatewayId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}': {Count} message(s) could not reach its connection's gateway; kept for its next resume")]
    public static partial void Rescued(ILogger logger, string clientId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}': {Count} message(s) whose delivery failed were handed to its current connection")]
    public static partial void RescuedToConnection(ILogger logger, string clientId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}': messages whose delivery failed could not be handed to its current connection either; kept for its next resume")]
    public static partial void RescueToConnectionFailed(ILogger logger, string clientId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offline queue of '{ClientId}' is full ({Limit} messages): dropping new messages, {Dropped} so far")]
    public static partial void QueueFull(ILogger logger, string clientId, int limit, long dropped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session '{ClientId}' resumed; {Dropped} message(s) were dropped while it was offline because its queue was full ({Limit} messages)")]
    public static partial void DroppedWhileOffline(ILogger logger, string clientId, long dropped, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session '{ClientId}' expired after {Expiry}s offline; its state is removed")]
    public static partial void Expired(ILogger logger, string clientId, uint expiry);

    [LoggerMessage(Level = LogLevel.Information, Message = "Will of '{ClientId}' published to '{Topic}'")]
    public static partial void WillPublished(ILogger logger, string clientId, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Will of '{ClientId}' to '{Topic}' could not be published")]
    public static partial void WillFailed(ILogger logger, string clientId, string topic, Exception exception);
}
