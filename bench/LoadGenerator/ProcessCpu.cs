using System.Diagnostics;
using System.Globalization;

namespace MqttCluster.LoadGenerator;

/// <summary>CPU time used so far by a process: this one, or another one read from /proc/PID/stat (utime + stime).</summary>
public static class ProcessCpu
{
    // USER_HZ: the unit of /proc/PID/stat times, 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100;

    public static TimeSpan OfThisProcess()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    /// <summary>The process's CPU time, or null when it is gone (or this is not Linux).</summary>
    public static TimeSpan? Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces: count fields after its ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / TicksPerSecond);
    }

    /// <summary>Summed CPU time of several processes (those that are gone count as zero).</summary>
    public static TimeSpan Of(IEnumerable<int> pids) =>
        pids.Aggregate(TimeSpan.Zero, (sum, pid) => sum + (Of(pid) ?? TimeSpan.Zero));
}
