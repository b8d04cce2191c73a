using System.Diagnostics;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Debian's mosquitto_ctrl (package mosquitto-clients): <c>dynsec init</c> and commands against a broker.</summary>
public static class MosquittoCtrl
{
    public const string Command = "/usr/bin/mosquitto_ctrl";

    /// <summary>Writes a dynamic-security.json as Mosquitto users create one: <c>mosquitto_ctrl dynsec init FILE USER</c>
    /// (an admin client with the role mosquitto_ctrl gives it; the password read twice from stdin).</summary>
    public static void Init(string file, string username, string password)
    {
        var start = new ProcessStartInfo(Command) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "dynsec", "init", file, username })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_ctrl did not start");
        process.StandardInput.Write($"{password}\n{password}\n");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "mosquitto_ctrl dynsec init did not finish within 20 s");
        Assert.True(process.ExitCode == 0 && File.Exists(file), $"mosquitto_ctrl dynsec init failed ({process.ExitCode}):\n{output.Result}\n{errors.Result}");
    }

    /// <summary>Runs <c>mosquitto_ctrl -h 127.0.0.1 -p PORT -u USER -P PASSWORD dynsec ARGS</c> and returns what it
    /// printed (answers on stdout, errors on stderr), without its warning about running without TLS.</summary>
    public static async Task<IReadOnlyList<string>> DynsecAsync(BrokerProcess broker, string username, string password, params string[] arguments)
    {
        await using var ctrl = ClientProcess.Start(Command, ["-h", "127.0.0.1", "-p", $"{broker.TcpPort}", "-u", username, "-P", password, "dynsec", .. arguments]);
        await ctrl.AssertSucceedsAsync(MosquittoClients.Timeout, broker.Describe);
        return [.. ctrl.Output.Lines.Concat(ctrl.Errors.Lines).Where(l => l.Length > 0 && !IsTlsWarning(l))];
    }

    private static bool IsTlsWarning(string line) =>
        line.StartsWith("Warning: You are running mosquitto_ctrl without encryption", StringComparison.Ordinal) ||
        line.StartsWith("This means all of the configuration changes", StringComparison.Ordinal);
}
