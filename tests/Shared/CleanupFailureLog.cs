namespace MqttCluster.Tests.Shared;

/// <summary>
/// Where a class fixture's end-of-class checks leave their failure in full. xunit 2's VSTest adapter prints only the
/// exception's type for a failure in a fixture's <c>DisposeAsync</c> ("[Test Class Cleanup Failure (X)]
/// Xunit.Sdk.TrueException"), not its message, so a failure there said nothing about its cause. The fixture appends
/// the whole exception to <c>cleanup-failures.log</c> beside the test assembly, and <c>test.sh</c> prints every such
/// file after the run.
/// </summary>
internal static class CleanupFailureLog
{
    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "cleanup-failures.log");

    /// <summary>Runs <paramref name="checks"/>; a failure is written to the log, then thrown on to xunit.</summary>
    public static async Task RunAsync(string fixture, Func<Task> checks)
    {
        try
        {
            await checks();
        }
        catch (Exception exception)
        {
            await File.AppendAllTextAsync(FilePath, $"{DateTime.UtcNow:O} cleanup of {fixture} failed:\n{exception}\n\n");
            throw;
        }
    }
}
