using Microsoft.Extensions.Options;

namespace MqttCluster.Gateway.Security;

/// <summary>A password or ACL file that cannot be read stops the start, naming file and line.</summary>
public sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var problems = MosquittoFileSecurity.Problems(options).ToList();
        if (options.DynamicSecurityFile is { } file)
        {
            try
            {
                _ = Core.Security.DynamicSecurity.DynsecDocument.Parse(File.ReadAllText(file));
            }
            catch (Exception exception) when (exception is FormatException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"Security:DynamicSecurityFile: {exception.Message}");
            }
        }

        if (options.FailedLoginDelay < TimeSpan.Zero)
        {
            problems.Add("Security:FailedLoginDelay must not be negative.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
