using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// One thread that serves all of a run's clients, the way a broker's event loop does: epoll(7) over their sockets,
/// read and answer what arrived, let the publishers write what is due (it wakes at least every millisecond for
/// that), flush. One thread, one wake-up for many packets and no per-socket cost while idle keep the generator's
/// CPU per message at or below the broker's.
/// </summary>
public sealed partial class EventLoop(IReadOnlyList<WireClient> clients, Action<long> turn)
{
    private const uint EpollIn = 0x001;
    private const uint EpollOut = 0x004;
    private const int Add = 1;
    private const int Modify = 3;
    private const int TurnMilliseconds = 1;

    private volatile bool _exit;

    /// <summary>Starts the loop's thread; the turn runs on it after every wake-up, with the current timestamp.</summary>
    public Thread Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "event-loop" };
        thread.Start();
        return thread;
    }

    /// <summary>Asks the loop to end after its current turn.</summary>
    public void Exit() => _exit = true;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epoll, int operation, int descriptor, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_wait(int epoll, EpollEvent* events, int maxEvents, int timeoutMilliseconds);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);

    private static uint Interest(WireClient client) =>
        (client.WakeOnArrival ? EpollIn : 0) | (client.HasPendingOutput ? EpollOut : 0);

    private static unsafe void Control(int epoll, int operation, int index, uint events, int descriptor)
    {
        var ev = new EpollEvent { Events = events, Data = (ulong)index };
        if (epoll_ctl(epoll, operation, descriptor, &ev) != 0)
        {
            throw new IOException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private unsafe void Run()
    {
        var epoll = epoll_create1(0);
        var registered = new uint[clients.Count];
        var ready = new EpollEvent[Math.Max(1, clients.Count)];
        try
        {
            for (var i = 0; i < clients.Count; i++)
            {
                registered[i] = Interest(clients[i]);
                Control(epoll, Add, i, registered[i], clients[i].Descriptor);
            }

            while (!_exit)
            {
                int count;
                fixed (EpollEvent* events = ready)
                {
                    count = epoll_wait(epoll, events, ready.Length, TurnMilliseconds);
                }

                for (var e = 0; e < count; e++)
                {
                    var client = clients[(int)ready[e].Data];
                    if ((ready[e].Events & EpollOut) != 0)
                    {
                        client.Flush();
                    }

                    if ((ready[e].Events & ~EpollOut) != 0)
                    {
                        client.OnReadable();
                    }
                }

                foreach (var client in clients)
                {
                    if (client.ReadAtTurn)
                    {
                        client.OnReadable();
                    }
                }

                turn(Stopwatch.GetTimestamp());
                for (var i = 0; i < clients.Count; i++)
                {
                    var client = clients[i];
                    if (client.HasPendingOutput && !client.Lost)
                    {
                        client.Flush();
                    }

                    var interest = client.Lost ? 0 : Interest(client);
                    if (interest != registered[i])
                    {
                        registered[i] = interest;
                        Control(epoll, Modify, i, interest, client.Descriptor);
                    }
                }
            }
        }
        finally
        {
            close(epoll);
        }
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }
}
