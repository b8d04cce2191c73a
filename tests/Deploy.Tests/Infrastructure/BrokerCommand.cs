using System.Text.RegularExpressions;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Silo.Hosting;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// Command lines of the broker's two executables as deployment files write them, checked against the code: the
/// executable names are the projects' assembly names, the switches those the help texts list or the switch
/// mappings define, <c>--Section:Key=value</c> a real setting, and commands (<c>db init</c>) in the help.
/// </summary>
internal static partial class BrokerCommand
{
    public static string SiloExecutable { get; } = typeof(BrokerHost).Assembly.GetName().Name!;

    public static string GatewayExecutable { get; } = typeof(StandaloneGateway).Assembly.GetName().Name!;

    /// <summary>Problems of one command line (executable first); empty when it is one the code accepts.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<string> command)
    {
        var problems = new List<string>();
        if (command.Count == 0)
        {
            return ["empty command"];
        }

        var executable = Path.GetFileName(command[0]);
        var (mappings, help) = executable == SiloExecutable ? (BrokerCommandLine.SwitchMappings, BrokerCommandLine.HelpText)
            : executable == GatewayExecutable ? (StandaloneGateway.SwitchMappings, StandaloneGateway.HelpText)
            : (null, null);
        if (mappings is null || help is null)
        {
            return [$"'{command[0]}' is neither {SiloExecutable} nor {GatewayExecutable}"];
        }

        var documented = HelpSwitch().Matches(help).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var arguments = command.Skip(1).ToList();
        if (arguments is ["db", "init", ..])
        {
            if (executable != SiloExecutable || !help.Contains("db init", StringComparison.Ordinal))
            {
                problems.Add($"{executable} has no 'db init' command");
            }

            arguments = arguments.Skip(2).ToList();
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.StartsWith('$'))
            {
                continue; // a variable the unit expands (checked with its environment file)
            }

            if (argument.StartsWith("--", StringComparison.Ordinal) && argument.Contains(':', StringComparison.Ordinal))
            {
                var (key, value) = SplitAssignment(argument[2..], arguments, ref i);
                problems.AddRange(new[] { BrokerSettings.CheckKey(key, value) }.OfType<string>());
            }
            else if (mappings.TryGetValue(argument.Split('=')[0], out var mapped))
            {
                var (_, value) = SplitAssignment(argument, arguments, ref i);
                problems.AddRange(new[] { BrokerSettings.CheckKey(mapped, value) }.OfType<string>());
            }
            else if (argument.StartsWith('-') && documented.Contains(argument))
            {
                // A documented switch without a mapping (-c FILE, -d): skip its value if the help gives one.
                if (argument is "-c" or "--config")
                {
                    i++;
                }
            }
            else
            {
                problems.Add($"{executable}: '{argument}' is not a switch it knows (help lists {string.Join(' ', documented.Order())})");
            }
        }

        return problems;
    }

    private static (string Key, string? Value) SplitAssignment(string argument, List<string> arguments, ref int i)
    {
        var equals = argument.IndexOf('=', StringComparison.Ordinal);
        if (equals >= 0)
        {
            return (argument[..equals], argument[(equals + 1)..]);
        }

        var value = i + 1 < arguments.Count ? arguments[++i] : null;
        return (argument, value is not null && value.StartsWith('$') ? null : value);
    }

    // "-c, --config FILE", "--port N", "-d": the switches at the start of a help line.
    [GeneratedRegex(@"(?m)(?:^\s+|,\s)(--?[a-z][a-z-]*)\b")]
    private static partial Regex HelpSwitch();
}
