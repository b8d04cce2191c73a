using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace MqttCluster.LoadGenerator.Wire;

/// <summary>
/// Opens many idle MQTT connections over TCP from one thread, the way a C load generator does: non-blocking
/// sockets straight from libc, one epoll set, up to <c>inFlight</c> handshakes (TCP connect, CONNECT, CONNACK) under
/// way at once, a few system calls and no allocation per connection. A broker, not this loop, then limits the connect
/// rate (the thread-per-handshake client it replaces topped out near 8 000 connects/s against Mosquitto here).
/// The connections stay open, silent, until <see cref="Dispose"/> sends each a DISCONNECT and closes it.
/// </summary>
public sealed partial class ConnectLoop : IDisposable
{
    private const int AddressFamilyInet = 2;
    private const int SockStream = 1;
    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int InProgress = 115; // EINPROGRESS on every Linux ABI .NET runs on
    private const uint EpollIn = 0x001;
    private const uint EpollOut = 0x004;
    private const uint EpollErr = 0x008;
    private const uint EpollHup = 0x010;
    private const uint EpollOneShot = 1u << 30;
    private const int Add = 1;
    private const int Modify = 3;
    private const int IpProtocol = 0;
    private const int IpBindAddressNoPort = 24;

    // Towards a loopback broker the connections come from 127.0.0.2-127.0.0.254 in turn: with one source address the
    // kernel searches its ephemeral ports for one not yet used towards the broker, and with 18 000 of its 28 000 in
    // use that search cost the generator several times the broker's CPU per connect (213 against 38 µs, Mosquitto).
    private const int LoopbackSources = 253;
    private static readonly byte[] DisconnectPacket = [0xE0, 0x00];

    private readonly int[] _descriptors;
    private readonly Handshake[] _slots;
    private readonly PacketWriter _connect;
    private readonly string _prefix;
    private readonly byte[] _reply = new byte[256];
    private readonly bool _loopback;
    private SocketAddressIn _address;
    private int _epoll;
    private int _opened;
    private int _next;
    private int _pending;

    private unsafe ConnectLoop(IPEndPoint endpoint, int protocolVersion, string prefix, int count, int inFlight)
    {
        _descriptors = new int[count];
        _slots = new Handshake[Math.Max(1, Math.Min(inFlight, count))];
        _connect = new PacketWriter(protocolVersion);
        _prefix = prefix;
        _loopback = IPAddress.IsLoopback(endpoint.Address);
        _address.Family = AddressFamilyInet;
        _address.Port = (ushort)IPAddress.HostToNetworkOrder((short)endpoint.Port);
        fixed (byte* bytes = _address.Address)
        {
            endpoint.Address.TryWriteBytes(new Span<byte>(bytes, 4), out _);
        }
    }

    /// <summary>Microseconds each connection took from socket(2) to the CONNACK.</summary>
    public LatencyHistogram ConnectTimes { get; } = new();

    /// <summary>Connections open now.</summary>
    public int Count => _opened;

    /// <summary>
    /// Opens <paramref name="count"/> connections to an IPv4 <paramref name="endpoint"/> with client ids
    /// "{prefix}-{i}", <paramref name="inFlight"/> handshakes at a time; throws <see cref="IOException"/> on the first
    /// refused or broken one (the connections opened so far are closed).
    /// </summary>
    public static ConnectLoop Open(IPEndPoint endpoint, int protocolVersion, string prefix, int count, int inFlight, CancellationToken cancellation)
    {
        var loop = new ConnectLoop(endpoint, protocolVersion, prefix, count, inFlight);
        try
        {
            loop.Run(cancellation);
            return loop;
        }
        catch
        {
            loop.Dispose();
            throw;
        }
    }

    /// <summary>The first IPv4 address of <paramref name="host"/> with <paramref name="port"/>.</summary>
    public static IPEndPoint Resolve(string host, int port)
    {
        var address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork);
        return address is { AddressFamily: AddressFamily.InterNetwork }
            ? new IPEndPoint(address, port)
            : throw new IOException($"the idle shape over TCP needs an IPv4 address for {host}");
    }

    /// <summary>Says DISCONNECT on every connection and closes it.</summary>
    public void Dispose()
    {
        for (var i = 0; i < _opened; i++)
        {
            WriteAll(_descriptors[i], DisconnectPacket);
            close(_descriptors[i]);
        }

        _opened = 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int connect(int descriptor, SocketAddressIn* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int descriptor, byte* bytes, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int descriptor, byte* bytes, nint count);

    [LibraryImport("libc")]
    private static partial int close(int descriptor);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int bind(int descriptor, SocketAddressIn* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int setsockopt(int descriptor, int level, int option, int* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_ctl(int epoll, int operation, int descriptor, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int epoll_wait(int epoll, EpollEvent* events, int maxEvents, int timeoutMilliseconds);

    private static unsafe bool WriteAll(int descriptor, ReadOnlySpan<byte> bytes)
    {
        fixed (byte* data = bytes)
        {
            // A CONNECT or DISCONNECT is far smaller than an empty socket buffer: one write takes it all.
            return write(descriptor, data, bytes.Length) == bytes.Length;
        }
    }

    private static unsafe void Control(int epoll, int operation, int descriptor, int slot, uint events)
    {
        var ev = new EpollEvent { Events = events | EpollOneShot, Data = (ulong)slot };
        if (epoll_ctl(epoll, operation, descriptor, &ev) != 0)
        {
            throw new IOException($"epoll_ctl failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private unsafe void Run(CancellationToken cancellation)
    {
        _epoll = epoll_create1(SockCloexec);
        try
        {
            for (var s = 0; s < _slots.Length; s++)
            {
                Start(s);
            }

            var ready = new EpollEvent[_slots.Length];
            while (_pending > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                int count;
                fixed (EpollEvent* events = ready)
                {
                    count = epoll_wait(_epoll, events, ready.Length, 1000);
                }

                for (var e = 0; e < count; e++)
                {
                    Advance((int)ready[e].Data, ready[e].Events);
                }
            }
        }
        finally
        {
            close(_epoll);
        }
    }

    /// <summary>Starts the next connection, if any is left, in <paramref name="slot"/>: socket(2), connect(2), wait to write.</summary>
    private unsafe void Start(int slot)
    {
        if (_next == _descriptors.Length)
        {
            return;
        }

        var i = _next++;
        var started = Stopwatch.GetTimestamp();
        var descriptor = socket(AddressFamilyInet, SockStream | SockNonBlock | SockCloexec, 0);
        if (descriptor < 0)
        {
            throw new IOException($"socket(2) failed for connection {i}: errno {Marshal.GetLastPInvokeError()} (ulimit -n?)");
        }

        _descriptors[_opened++] = descriptor;
        if (_loopback)
        {
            BindSource(descriptor, i);
        }

        int result;
        fixed (SocketAddressIn* address = &_address)
        {
            result = connect(descriptor, address, sizeof(SocketAddressIn));
        }

        if (result != 0 && Marshal.GetLastPInvokeError() != InProgress)
        {
            throw new IOException($"connect(2) failed for connection {i}: errno {Marshal.GetLastPInvokeError()}");
        }

        _slots[slot] = new Handshake(i, descriptor, started, SentConnect: false);
        _pending++;
        Control(_epoll, Add, descriptor, slot, EpollOut);
    }

    /// <summary>The next step of the handshake in <paramref name="slot"/>: connected, so CONNECT; or read the CONNACK.</summary>
    private unsafe void Advance(int slot, uint events)
    {
        var handshake = _slots[slot];
        if ((events & (EpollErr | EpollHup)) != 0 && (events & EpollIn) == 0)
        {
            throw new IOException($"connection {handshake.Index} failed (refused or reset by the broker)");
        }

        if (!handshake.SentConnect)
        {
            _connect.Clear();
            _connect.Connect($"{_prefix}-{handshake.Index}", cleanStart: true, keepAliveSeconds: 600);
            if (!WriteAll(handshake.Descriptor, _connect.Written))
            {
                throw new IOException($"connection {handshake.Index}: writing CONNECT failed: errno {Marshal.GetLastPInvokeError()}");
            }

            _slots[slot] = handshake with { SentConnect = true };
            Control(_epoll, Modify, handshake.Descriptor, slot, EpollIn);
            return;
        }

        nint n;
        fixed (byte* data = _reply)
        {
            n = read(handshake.Descriptor, data, _reply.Length);
        }

        // CONNACK: 0x20, remaining length, flags, return (3.1.1) or reason (5) code; a few bytes, one segment.
        if (n < 4 || _reply[0] != 0x20)
        {
            throw new IOException($"connection {handshake.Index}: no CONNACK (read {n} bytes)");
        }

        if (_reply[3] != 0)
        {
            throw new IOException($"connection {handshake.Index}: CONNACK {_reply[3]:x2}");
        }

        ConnectTimes.Record((long)Stopwatch.GetElapsedTime(handshake.Started).TotalMicroseconds);
        _pending--;
        Start(slot);
    }

    /// <summary>Binds connection <paramref name="i"/> to 127.0.0.(2 + i % 253), its port chosen by connect(2).</summary>
    private static unsafe void BindSource(int descriptor, int i)
    {
        var noPort = 1;
        var source = new SocketAddressIn { Family = AddressFamilyInet };
        source.Address[0] = 127;
        source.Address[3] = (byte)(2 + (i % LoopbackSources));
        if (setsockopt(descriptor, IpProtocol, IpBindAddressNoPort, &noPort, sizeof(int)) != 0 ||
            bind(descriptor, &source, sizeof(SocketAddressIn)) != 0)
        {
            throw new IOException($"binding connection {i} to 127.0.0.{source.Address[3]} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private readonly record struct Handshake(int Index, int Descriptor, long Started, bool SentConnect);

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct SocketAddressIn
    {
        public ushort Family;
        public ushort Port;
        public fixed byte Address[4];
        public fixed byte Zero[8];
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }
}
