using System.ComponentModel;
using System.Runtime.InteropServices;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>Signals for child processes: .NET has Process.Kill (SIGKILL) but nothing for Ctrl-C (SIGINT) or SIGTERM.</summary>
internal static partial class PosixSignals
{
    public const int SigInt = 2;

    public const int SigTerm = 15;

    /// <summary>Sends SIGINT, what Ctrl-C in a terminal does.</summary>
    public static void Interrupt(int processId)
    {
        if (Kill(processId, SigInt) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({processId}, SIGINT) failed");
        }
    }

    /// <summary>Sends SIGTERM, what systemd, Docker and Kubernetes send to stop a service.</summary>
    public static void Terminate(int processId)
    {
        if (Kill(processId, SigTerm) != 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), $"kill({processId}, SIGTERM) failed");
        }
    }

    /// <summary>
    /// True when this process ignores SIGINT: a shell without job control starts background jobs that way, and
    /// children inherit it, so a broker started from here would not stop on Ctrl-C.
    /// </summary>
    public static bool IsInterruptIgnoredHere()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SigInt - 1))) != 0;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
