using System.Net;
using System.Net.Sockets;

namespace MqttCluster.Tests.Shared;

/// <summary>
/// Ports that are free right now, for the servers the tests start. They come from below the kernel's ephemeral
/// range (<c>net.ipv4.ip_local_port_range</c>): a port from inside it can be taken, between the moment it was found
/// free and the moment the server binds it, as the local port of any outgoing connection on the machine (a test's
/// client, a cluster node's call), which made fixtures fail with "address already in use". Below the range only
/// another server can take it, so the process fixtures still retry a start that failed on a taken port.
/// </summary>
internal static class FreePorts
{
    private const int LowestPort = 10_000;

    private static readonly HashSet<int> HandedOut = [];

    public static int[] Take(int count)
    {
        var ports = new List<int>(count);
        var below = EphemeralRangeStart();
        var attempts = 0;
        while (ports.Count < count)
        {
            var port = below > LowestPort + 1_000 && attempts++ < 10_000
                ? Random.Shared.Next(LowestPort, below)
                : 0;
            if (Bind(port) is not { } bound)
            {
                continue;
            }

            lock (HandedOut)
            {
                // Parallel fixtures in this process must not be given the same port twice.
                if (HandedOut.Add(bound))
                {
                    ports.Add(bound);
                }
            }
        }

        return [.. ports];
    }

    /// <summary>The port, if 127.0.0.1 can bind it now (0: any the kernel picks).</summary>
    private static int? Bind(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>The first port the kernel hands out to outgoing connections (32768 by default on Linux).</summary>
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }
}
