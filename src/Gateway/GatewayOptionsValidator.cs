using Microsoft.Extensions.Options;

namespace MqttCluster.Gateway;

/// <summary>Rejects gateway settings that cannot work, with a message naming the setting.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    // Largest value the MQTT remaining-length encoding allows, plus the 5 bytes of fixed header.
    private const int ProtocolMaxPacketSize = 268_435_455 + 5;

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var failures = new List<string>();
        if (!System.Net.IPAddress.TryParse(options.BindAddress, out _) && options.BindAddress is not ("*" or "localhost"))
        {
            failures.Add($"Mqtt:BindAddress '{options.BindAddress}' is not an IP address, '*' or 'localhost'.");
        }

        CheckPort(failures, "Mqtt:TcpPort", options.TcpPort);
        CheckPort(failures, "Mqtt:WebSocketPort", options.WebSocketPort);
        if (options.MaxPacketSize is < 20 or > ProtocolMaxPacketSize)
        {
            failures.Add($"Mqtt:MaxPacketSize must be between 20 and {ProtocolMaxPacketSize} bytes.");
        }

        if (options.MessageSizeLimit is < 0 or > ProtocolMaxPacketSize)
        {
            failures.Add($"Mqtt:MessageSizeLimit must be between 0 (no limit) and {ProtocolMaxPacketSize} bytes.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add("Mqtt:ConnectTimeout must be positive.");
        }

        if (options.ReceiveMaximum == 0)
        {
            failures.Add("Mqtt:ReceiveMaximum must be at least 1 [MQTT-3.2.2.3.3].");
        }

        if (options.MaxInflightMessages is < 1 or > 65535)
        {
            failures.Add("Mqtt:MaxInflightMessages must be between 1 and 65535.");
        }

        if (options.PushBackGiveUpAfter <= TimeSpan.Zero || options.PushBackGiveUpAfter >= TimeSpan.FromSeconds(3))
        {
            failures.Add("Mqtt:PushBackGiveUpAfter must be above 0 and below 3 s (the time a delivery may take before the cluster sends it again).");
        }

        if (options.WebSocketPaths.Length == 0 || Array.Exists(options.WebSocketPaths, p => !p.StartsWith('/')))
        {
            failures.Add("Mqtt:WebSocketPaths needs at least one path, each starting with '/'.");
        }

        if (options.MaxTopicLevels < 1 || options.MaxTopicLength < 1)
        {
            failures.Add("Mqtt:MaxTopicLevels and Mqtt:MaxTopicLength must be at least 1.");
        }

        if (options.MaxSubscriptionsPerClient < 0 || options.MaxPublishRatePerClient < 0 || options.MaxConnections < -1)
        {
            failures.Add("Mqtt:MaxSubscriptionsPerClient and Mqtt:MaxPublishRatePerClient must not be negative; Mqtt:MaxConnections is -1 (no limit) or more.");
        }

        if (options.SlowConsumerTimeout <= TimeSpan.Zero)
        {
            failures.Add("Mqtt:SlowConsumerTimeout must be positive.");
        }

        ValidateTls(failures, "Mqtt:Tls", options.Tls, options.Tls.Enabled);
        for (var i = 0; i < options.Listeners.Length; i++)
        {
            Listeners.MqttListenerOptionsValidator.Validate(failures, $"Mqtt:Listeners:{i}", options.Listeners[i]);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void ValidateTls(List<string> failures, string section, Security.TlsCertificateOptions tls, bool enabled)
    {
        if (tls is Security.TlsOptions ports)
        {
            CheckPort(failures, $"{section}:Port", ports.Port);
            CheckPort(failures, $"{section}:WebSocketPort", ports.WebSocketPort);
        }

        if (enabled && (tls.CertificateFile is null || tls.KeyFile is null))
        {
            failures.Add($"{section}:CertificateFile and {section}:KeyFile are required for a TLS listener.");
        }

        foreach (var (setting, path) in new[] { ("CertificateFile", tls.CertificateFile), ("KeyFile", tls.KeyFile), ("CaFile", tls.CaFile), ("CrlFile", tls.CrlFile) })
        {
            if (enabled && path is not null && !File.Exists(path))
            {
                failures.Add($"{section}:{setting}: file '{path}' not found.");
            }
        }

        if ((tls.RequireClientCertificate || tls.CertificateNamesClient || tls.CrlFile is not null) && tls.CaFile is null)
        {
            failures.Add($"{section}:RequireClientCertificate, UseIdentityAsUsername, UseSubjectAsUsername and CrlFile need {section}:CaFile to check client certificates.");
        }

        if (tls.UseIdentityAsUsername && tls.UseSubjectAsUsername)
        {
            failures.Add($"{section}:UseIdentityAsUsername and UseSubjectAsUsername exclude each other.");
        }
    }

    internal static void CheckPort(List<string> failures, string setting, int port)
    {
        if (port is < -1 or > 65535)
        {
            failures.Add($"{setting} must be -1 (off), 0 (any free port) or a port number.");
        }
    }
}
