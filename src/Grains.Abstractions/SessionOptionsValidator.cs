using Microsoft.Extensions.Options;

namespace MqttCluster.Grains;

/// <summary>Rejects session settings that cannot work, naming the setting.</summary>
public sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var failures = new List<string>();
        if (options.PersistentClientExpiration < TimeSpan.Zero || options.MaxSessionExpiry < TimeSpan.Zero)
        {
            failures.Add("Sessions:PersistentClientExpiration and Sessions:MaxSessionExpiry must not be negative.");
        }

        if (options.MaxQueuedMessages < 1)
        {
            failures.Add("Sessions:MaxQueuedMessages must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
