using System.Diagnostics;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>A dynamic-security.json made by Debian's <c>mosquitto_ctrl dynsec init</c>, as an operator makes one.</summary>
public static class DynsecFile
{
    /// <summary>Writes <paramref name="file"/> with the administrator <paramref name="admin"/>; throws when it fails.</summary>
    public static void Create(string file, string admin, string password)
    {
        var start = new ProcessStartInfo("/usr/bin/mosquitto_ctrl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "dynsec", "init", file, admin })
        {
            start.ArgumentList.Add(argument);
        }

        using var init = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_ctrl did not start");
        init.StandardInput.Write($"{password}\n{password}\n");
        init.StandardInput.Close();
        _ = init.StandardOutput.ReadToEnd();
        if (!init.WaitForExit(TimeSpan.FromSeconds(20)) || init.ExitCode != 0 || !File.Exists(file))
        {
            throw new InvalidOperationException($"mosquitto_ctrl dynsec init failed: {init.StandardError.ReadToEnd()}");
        }
    }
}
