using System.Diagnostics;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>Command-line tools the checks run (systemd-analyze, shellcheck, docker compose), with a deadline.</summary>
internal static class Tool
{
    public static bool Exists(string name) => Find(name) is not null;

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public static ToolResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, int timeoutSeconds = 30)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeoutSeconds} s");
        }

        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.Result, errors.Result, $"{fileName} {string.Join(' ', start.ArgumentList)}");
    }
}
