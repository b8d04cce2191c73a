using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MqttCluster.Core.Tests.Security;

/// <summary>Runs Debian's Mosquitto command-line tools and finds a free loopback port for a broker.</summary>
internal static class MosquittoTools
{
    public const string Passwd = "/usr/bin/mosquitto_passwd";
    public const string Pub = "/usr/bin/mosquitto_pub";
    public const string Broker = "/usr/sbin/mosquitto";

    /// <summary>Runs <paramref name="program"/> to completion (10 s at most) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        process.StandardInput.Close();
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
            Assert.Fail($"{program} {string.Join(' ', arguments)} did not exit within 10 s");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>A port nothing listens on right now (the OS picks it), for a broker started next.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
