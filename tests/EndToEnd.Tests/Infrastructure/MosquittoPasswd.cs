namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Mosquitto's own <c>mosquitto_passwd</c> (Debian package mosquitto), for password files of the tests.</summary>
public static class MosquittoPasswd
{
    private const string Command = "/usr/bin/mosquitto_passwd";

    /// <summary>Runs it with <paramref name="arguments"/> (e.g. <c>-c -b FILE USER PASSWORD</c>) and asserts it succeeds.</summary>
    public static void Run(params string[] arguments)
    {
        Assert.True(File.Exists(Command), "mosquitto_passwd is missing: install the Debian package mosquitto.");
        using var process = System.Diagnostics.Process.Start(Command, arguments);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)) && process.ExitCode == 0, $"mosquitto_passwd {string.Join(' ', arguments)} failed");
    }
}
