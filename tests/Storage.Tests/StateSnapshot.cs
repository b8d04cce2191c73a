namespace MqttCluster.Storage.Tests;

/// <summary>What a <see cref="StateGrain"/> holds, plus which activation answered.</summary>
[GenerateSerializer, Alias("storage-tests.StateSnapshot")]
public sealed record StateSnapshot(
    [property: Id(0)] string Text,
    [property: Id(1)] byte[] Payload,
    [property: Id(2)] bool RecordExists,
    [property: Id(3)] string? ETag,
    [property: Id(4)] Guid ActivationId);
