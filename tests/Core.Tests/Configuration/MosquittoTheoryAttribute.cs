namespace MqttCluster.Core.Tests.Configuration;

/// <summary>A theory that is skipped, visibly, unless Mosquitto 2 (whose semantics the expectations describe) is installed.</summary>
internal sealed class MosquittoTheoryAttribute : TheoryAttribute
{
    public MosquittoTheoryAttribute()
    {
        if (MosquittoBinary.Path is null)
        {
            Skip = "mosquitto is not installed (apt-get install mosquitto)";
        }
        else if (MosquittoBinary.Version?.StartsWith("2.", StringComparison.Ordinal) != true)
        {
            Skip = $"needs Mosquitto 2, found {MosquittoBinary.Version ?? "an unknown version"}";
        }
    }
}
