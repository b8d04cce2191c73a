using MqttCluster.Core.Bridges;

namespace MqttCluster.Grains;

/// <summary>
/// What is wrong with a bridge's options, one line a problem naming the setting (<c>Addresses: ...</c>): the native
/// configuration refuses to start with any, and the REST API refuses such a bridge with 400.
/// </summary>
public static class BridgeOptionsValidator
{
    public static IEnumerable<string> Problems(BridgeOptions bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        return Find(bridge);
    }

    private static IEnumerable<string> Find(BridgeOptions bridge)
    {
        if (bridge.Addresses.Length == 0)
        {
            yield return "Addresses: a bridge needs at least one remote address (host:port)";
        }

        foreach (var address in bridge.Addresses)
        {
            var colon = address.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port) || port is < 1 or > 65535)
            {
                yield return $"Addresses: '{address}' is not host:port";
            }
        }

        for (var i = 0; i < bridge.Topics.Length; i++)
        {
            var topic = bridge.Topics[i];
            if (BridgeTopicRoute.Problem(topic.Pattern, topic.LocalPrefix, topic.RemotePrefix) is { } problem)
            {
                yield return $"Topics:{i}: {problem}";
            }

            if (topic.Qos is < 0 or > 2)
            {
                yield return $"Topics:{i}:Qos: {topic.Qos} is not 0, 1 or 2";
            }
        }

        if (bridge.MaxInflightMessages is < 1 or > ushort.MaxValue)
        {
            yield return "MaxInflightMessages: must be between 1 and 65535";
        }

        if (bridge.MaxQueuedMessages < 1)
        {
            yield return "MaxQueuedMessages: must be at least 1";
        }

        if (bridge.RestartTimeout <= TimeSpan.Zero || bridge.RestartTimeoutCap < bridge.RestartTimeout)
        {
            yield return "RestartTimeout: must be positive and not above RestartTimeoutCap";
        }

        if (bridge.Threshold < 1 || bridge.IdleTimeout <= TimeSpan.Zero)
        {
            yield return "Threshold: a lazy bridge needs a Threshold of at least 1 and a positive IdleTimeout";
        }

        if (bridge.KeepAliveInterval < TimeSpan.FromSeconds(5) || bridge.KeepAliveInterval > TimeSpan.FromSeconds(65535))
        {
            yield return "KeepAliveInterval: must be between 5 s and 65535 s";
        }

        if ((bridge.CertFile is null) != (bridge.KeyFile is null))
        {
            yield return "CertFile: CertFile and KeyFile must be given together";
        }

        if (bridge.CertFile is not null && bridge.CaFile is null && bridge.CaPath is null)
        {
            yield return "CaFile: a client certificate needs TLS, which CaFile (or CaPath) turns on";
        }

        if (bridge.RemotePassword is not null && bridge.RemoteUsername is null)
        {
            yield return "RemotePassword: needs RemoteUsername as well";
        }
    }
}
