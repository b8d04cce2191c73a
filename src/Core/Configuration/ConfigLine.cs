namespace MqttCluster.Core.Configuration;

/// <summary>One option line: <c>name value...</c>, with where it came from.</summary>
/// <param name="File">The file as named in diagnostics.</param>
/// <param name="Number">1-based line number.</param>
/// <param name="Name">The option name (case-sensitive, as in Mosquitto).</param>
/// <param name="Value">Everything after the name, trimmed; "" when the value is missing.</param>
/// <param name="BaseDirectory">Directory that relative paths on this line are resolved against.</param>
internal sealed record ConfigLine(string File, int Number, string Name, string Value, string BaseDirectory)
{
    private static readonly char[] Blanks = [' ', '\t'];

    /// <summary>The value split on blanks, for options whose value is a single word or number.</summary>
    public string[] Tokens => Value.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);

    public string Location => $"{File}:{Number}";
}
