using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MqttCluster.Core.Tests.Configuration;

/// <summary>
/// Asks the real Mosquitto whether it accepts a configuration, without letting it listen. Mosquitto 2 has no
/// config-test flag, but it parses the whole configuration before it writes its pid file, and writes the pid file
/// before it opens any socket; so a <c>pid_file</c> line in a missing directory, appended last, makes it exit
/// with "Unable to write pid file" exactly when the configuration parsed.
/// </summary>
internal static partial class MosquittoBinary
{
    public static string? Path { get; } =
        new[] { "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto" }.FirstOrDefault(File.Exists);

    /// <summary>The installed version, e.g. "2.0.11", from <c>mosquitto -h</c>; null when not installed.</summary>
    public static string? Version { get; } = ReadVersion();

    /// <summary>Null when Mosquitto accepts the configuration, else the line number it reports.</summary>
    public static async Task<int?> RejectedLineAsync(TempDirectory directory, string text)
    {
        var file = directory.Write("mosquitto.conf", text, $"pid_file {directory.Path}/missing/mosquitto.pid");
        using var process = Process.Start(new ProcessStartInfo(Path!, ["-c", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("mosquitto did not exit within 10 s: the pid_file trick did not stop it before listening");
        }

        var log = await output + await error;
        if (log.Contains("Unable to write pid file", StringComparison.Ordinal))
        {
            return null;
        }

        var match = ErrorLocation().Match(log);
        Assert.True(match.Success, $"mosquitto exited with {process.ExitCode} without naming a line:\n{log}");
        Assert.Equal(file, match.Groups["file"].Value);
        return int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? ReadVersion()
    {
        if (Path is null)
        {
            return null;
        }

        using var process = Process.Start(new ProcessStartInfo(Path, "-h") { RedirectStandardOutput = true })!;
        var help = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return VersionLine().Match(help) is { Success: true } match ? match.Groups["version"].Value : null;
    }

    [GeneratedRegex(@"mosquitto version (?<version>\S+)")]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"Error found at (?<file>.+):(?<line>\d+)\.")]
    private static partial Regex ErrorLocation();
}
