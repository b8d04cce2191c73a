namespace MqttCluster.Grains;

/// <summary>
/// A message for one gateway. The gateway fans it out to its local non-shared subscriptions that match, and for
/// each shared subscription group in <see cref="SharedGroups"/> (route filters <c>$share/{group}/{filter}</c>)
/// that the topic grain chose this gateway for, to exactly one local member.
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.GatewayDelivery")]
public sealed record GatewayDelivery([property: Id(0)] BrokerMessage Message, [property: Id(1)] string[]? SharedGroups);
