using System.Globalization;

namespace MqttCluster.LoadGenerator;

/// <summary>
/// Context switches of processes so far, summed over their threads (/proc/PID/task/*/status, voluntary and not).
/// At a fixed message rate a broker's CPU per message is mostly threads woken and put to sleep, so this is the
/// figure that says why, and it moves less than CPU time when other work shares the machine.
/// </summary>
public static class ProcessContextSwitches
{
    /// <summary>Summed over the processes' current threads (a thread that ended takes its count with it).</summary>
    public static long Of(IEnumerable<int> pids) => pids.Sum(OfProcess);

    private static long OfProcess(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return tasks.Sum(OfThread);
    }

    private static long OfThread(string taskDirectory)
    {
        try
        {
            return File.ReadLines(Path.Combine(taskDirectory, "status"))
                .Where(line => line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                    || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                .Sum(line => long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The thread ended while we read.
            return 0;
        }
    }
}
