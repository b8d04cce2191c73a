using Microsoft.Extensions.Logging;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>
/// Serves <c>$CONTROL/dynamic-security/v1</c> on the gateway that receives it: a command batch goes to the
/// dynamic-security grain instead of a topic, and the answer is published on
/// <c>$CONTROL/dynamic-security/v1/response</c>, as Mosquitto's plugin does. The connection has already checked
/// that the sender may publish there (only clients granted <c>$CONTROL/dynamic-security/#</c>). Every other
/// topic passes straight through to <paramref name="inner"/>.
/// </summary>
public sealed partial class DynamicSecurityControl(
    IBrokerCluster inner,
    IGrainFactory grainFactory,
    DynamicSecuritySync sync,
    LoginNames logins,
    ILogger<DynamicSecurityControl> logger) : IBrokerCluster
{
    public Task<PublishOutcome> PublishAsync(string topic, BrokerMessage[] messages) =>
        topic.Length > 0 && topic[0] == '$' && topic == DynamicSecurityTopics.Control
            ? ExecuteAsync(messages)
            : inner.PublishAsync(topic, messages);

    public Task PublishSharedAsync(string groupRoute, string topic, BrokerMessage[] messages) =>
        inner.PublishSharedAsync(groupRoute, topic, messages);

    public Task AddRouteAsync(string route) => inner.AddRouteAsync(route);

    public Task RemoveRouteAsync(string route) => inner.RemoveRouteAsync(route);

    public Task<IReadOnlyList<BrokerMessage>> GetRetainedAsync(string filter) => inner.GetRetainedAsync(filter);

    public IClusterSession Session(string clientId) => inner.Session(clientId);

    /// <summary>Runs each command; they were for the broker itself, which counts as their subscriber.</summary>
    private async Task<PublishOutcome> ExecuteAsync(BrokerMessage[] messages)
    {
        var grain = grainFactory.GetGrain<IDynamicSecurityGrain>(IDynamicSecurityGrain.Key);
        foreach (var command in messages)
        {
            var clientId = command.PublisherClientId ?? "(unknown)";
            var actor = logins.TryGet(clientId, out var username) && username is not null ? username : $"client {clientId}";
            LogCommand(actor, clientId);
            var result = await TransientClusterFailure.RetryAsync(() => grain.ExecuteAsync(command.Payload, actor));

            // The sender's next CONNECT or publish on this gateway sees its own change.
            await sync.CatchUpAsync(result.Version);
            await inner.PublishAsync(DynamicSecurityTopics.Response, [new BrokerMessage
            {
                Topic = DynamicSecurityTopics.Response,
                Payload = System.Text.Encoding.UTF8.GetBytes(result.Response),
                QualityOfService = 1,
                MessageId = Guid.NewGuid(),
                CorrelationData = command.CorrelationData,
                PayloadFormatIndicator = 1,
                ContentType = "application/json",
            }]);
        }

        return PublishOutcome.MatchedSubscribers;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dynamic-security command batch from '{Actor}' (client '{ClientId}')")]
    private partial void LogCommand(string actor, string clientId);
}
