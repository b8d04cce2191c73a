using System.Globalization;

namespace MqttCluster.LoadGenerator;

/// <summary>Resident memory of other processes, from the VmRSS line of /proc/PID/status.</summary>
public static class ProcessMemory
{
    /// <summary>Summed RSS in KiB of <paramref name="pids"/> (those that are gone, or not Linux, count as zero).</summary>
    public static long RssKb(IEnumerable<int> pids) => pids.Sum(OfProcess);

    private static long OfProcess(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
