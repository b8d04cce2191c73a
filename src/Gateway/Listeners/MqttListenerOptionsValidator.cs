using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Security;

namespace MqttCluster.Gateway.Listeners;

/// <summary>Checks one <c>Mqtt:Listeners:N</c> entry, naming the setting in each failure.</summary>
internal static class MqttListenerOptionsValidator
{
    public static void Validate(List<string> failures, string section, MqttListenerOptions listener)
    {
        GatewayOptionsValidator.CheckPort(failures, $"{section}:Port", listener.Port);
        if (listener.BindAddress is { } address && !System.Net.IPAddress.TryParse(address, out _) && address is not ("*" or "localhost"))
        {
            failures.Add($"{section}:BindAddress '{address}' is not an IP address, '*' or 'localhost'.");
        }

        if (listener.MaximumQoS > 2)
        {
            failures.Add($"{section}:MaximumQoS must be 0, 1 or 2.");
        }

        if (listener.MountPoint is { Length: > 0 } mountPoint && !TopicName.IsValid(mountPoint))
        {
            failures.Add($"{section}:MountPoint '{mountPoint}' is not a topic name (no wildcards).");
        }

        if (listener.Tls is { } tls)
        {
            GatewayOptionsValidator.ValidateTls(failures, $"{section}:Tls", tls, listener.Port >= 0 && listener.UsesTls);
        }

        if (listener.Security is { } security)
        {
            failures.AddRange(MosquittoFileSecurity.Problems(security).Select(p => $"{section}:{p}"));
        }
    }
}
