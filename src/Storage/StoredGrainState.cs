using Orleans;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace MqttCluster.Storage;

/// <summary>How both grain storages (SQLite, PostgreSQL) fill a grain's state from what they found: a stored row,
/// whose version is the ETag, or none, which leaves a new state without an ETag.</summary>
internal static class StoredGrainState
{
    public static void Load<T>(IGrainState<T> grainState, IGrainStorageSerializer serializer, long version, byte[] data)
    {
        grainState.State = serializer.Deserialize<T>(new BinaryData(data));
        grainState.ETag = VersionETags.Format(version);
        grainState.RecordExists = true;
    }

    public static void Reset<T>(IGrainState<T> grainState, IActivatorProvider activators)
    {
        grainState.State = activators.GetActivator<T>().Create();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }
}
