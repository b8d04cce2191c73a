namespace MqttCluster.Storage.Tests;

[Alias("storage-tests.IStateGrain")]
public interface IStateGrain : IGrainWithStringKey
{
    [Alias("Get")]
    Task<StateSnapshot> Get();

    [Alias("Set")]
    Task Set(string text, byte[] payload);

    [Alias("Clear")]
    Task Clear();
}
