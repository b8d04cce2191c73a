namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker whose offline queues hold only <see cref="MaxQueuedMessages"/> messages and take QoS 0 too.</summary>
public sealed class SmallQueueBrokerFixture : BrokerFixture
{
    public const int MaxQueuedMessages = 5;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Sessions:MaxQueuedMessages"] = MaxQueuedMessages.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Sessions:QueueQos0Messages"] = "true";
    }
}
