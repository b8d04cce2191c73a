namespace MqttCluster.Silo.Configuration;

/// <summary>
/// The native settings read from a <c>mosquitto.conf</c>, as a configuration source that reads the file again when
/// the configuration is reloaded (SIGHUP). A file that has errors by then leaves the previous settings in place;
/// <see cref="MosquittoConfigurationProvider.Problems"/> says why.
/// </summary>
internal sealed class MosquittoConfigurationSource(MosquittoConfigLoader loader) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new MosquittoConfigurationProvider(loader);
}
