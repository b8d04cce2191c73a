namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Compares printed lines and, when they differ, shows both in full (xunit truncates long strings).</summary>
public static class OutputAssert
{
    public static void Lines(IEnumerable<string> expected, IEnumerable<string> actual, Func<string>? context = null)
    {
        var wanted = expected.ToList();
        var got = actual.ToList();
        if (!wanted.SequenceEqual(got, StringComparer.Ordinal))
        {
            Assert.Fail(
                $"Printed lines differ.\n expected:\n{Format(wanted)}\n actual:\n{Format(got)}" +
                (context is null ? string.Empty : "\n" + context()));
        }
    }

    private static string Format(List<string> lines) =>
        lines.Count == 0 ? "  (nothing)" : string.Join('\n', lines.Select(l => "  " + l));
}
