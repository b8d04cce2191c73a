using System.Net;
using System.Net.Sockets;

namespace MqttCluster.Tests.Shared;

/// <summary>
/// Ports the OS calls free right now (bound on 127.0.0.1:0 and released). Another process may still take one
/// before the broker binds it, so the process fixtures retry a start that failed on a taken port.
/// </summary>
internal static class FreePorts
{
    private static readonly HashSet<int> HandedOut = [];

    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>();
        try
        {
            var ports = new List<int>();
            while (ports.Count < count)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                lock (HandedOut)
                {
                    // Parallel fixtures in this process must not be given the same port twice.
                    if (HandedOut.Add(port))
                    {
                        ports.Add(port);
                    }
                }
            }

            return [.. ports];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
