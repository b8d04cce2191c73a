using Microsoft.Extensions.Options;

namespace MqttCluster.Silo.Hosting;

/// <summary>Rejects silo settings that cannot work, naming the setting.</summary>
public sealed class SiloOptionsValidator : IValidateOptions<SiloOptions>
{
    public ValidateOptionsResult Validate(string? name, SiloOptions options)
    {
        var failures = new List<string>();
        if (options.SiloPort is < 1 or > 65535)
        {
            failures.Add("Silo:SiloPort must be a port number (1-65535).");
        }

        if (options.GatewayPort is < 0 or > 65535)
        {
            failures.Add("Silo:GatewayPort must be 0 (none) or a port number.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Silo:DataDirectory must not be empty.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
