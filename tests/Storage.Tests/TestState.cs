namespace MqttCluster.Storage.Tests;

[GenerateSerializer, Alias("storage-tests.TestState")]
public sealed record TestState
{
    [Id(0)] public string Text { get; init; } = "";

    [Id(1)] public byte[] Payload { get; init; } = [];
}
