namespace MqttCluster.Grains;

/// <summary>
/// Which batch of which topic-grain outbox a gateway delivery is. Batches of one outbox are numbered in the order
/// they are sent; an outbox sends a batch again when its answer did not arrive (a silo on the way stopped), and the
/// gateway takes each batch only once, so a lost answer never delivers a message twice.
/// </summary>
[GenerateSerializer, Immutable, Alias("mqtt.DeliveryBatch")]
public readonly record struct DeliveryBatch([property: Id(0)] Guid Outbox, [property: Id(1)] long Number);
