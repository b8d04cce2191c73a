namespace MqttCluster.Silo.Configuration;

/// <summary>See <see cref="MosquittoConfigurationSource"/>.</summary>
internal sealed class MosquittoConfigurationProvider(MosquittoConfigLoader loader) : ConfigurationProvider
{
    private bool _loaded;

    /// <summary>What kept the last reload from applying the file (empty when it applied).</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    public override void Load()
    {
        // The first load takes what the start read (and checked); later ones read the file again.
        var (settings, problems) = _loaded ? loader.ReadAgain() : (loader.Settings, []);
        _loaded = true;
        Problems = problems;
        if (problems.Count == 0)
        {
            Data = new Dictionary<string, string?>(settings, StringComparer.OrdinalIgnoreCase);
        }
    }
}
