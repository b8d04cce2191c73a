namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Reads the broker's single-line console log ("2026-01-01 12:00:00.000 warn: Category[id] message").</summary>
internal static class BrokerLogLines
{
    public static bool IsWarning(string line) => line.Contains(" warn: ", StringComparison.Ordinal);

    public static bool IsErrorOrWorse(string line) =>
        line.Contains(" fail: ", StringComparison.Ordinal) || line.Contains(" crit: ", StringComparison.Ordinal);
}
