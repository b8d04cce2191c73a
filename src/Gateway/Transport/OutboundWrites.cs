namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Lets a synchronous stretch of work that sends packets (a delivery batch fanned out to subscribers, the
/// acknowledgements of a forwarded batch) write them itself when it ends, on its own thread, instead of waking each
/// connection's writer on another thread: one socket write per connection per batch, no thread hop. Packets sent
/// outside such a stretch are written by a thread-pool work item, as before.
/// A stretch must not span an await, and must end outside any lock: writing flushes to the socket.
/// </summary>
public static class OutboundWrites
{
    [ThreadStatic]
    private static List<MqttPacketSender>? t_deferred;

    [ThreadStatic]
    private static int t_depth;

    /// <summary>Starts a stretch; packets sent on this thread until it is disposed are written at its end.</summary>
    public static Stretch Defer()
    {
        t_depth++;
        return new Stretch();
    }

    /// <summary>Whether this thread is inside a stretch; if so, the sender is noted to be written at its end.</summary>
    internal static bool TryDefer(MqttPacketSender sender)
    {
        if (t_depth == 0)
        {
            return false;
        }

        var deferred = t_deferred ??= [];
        if (deferred.Count == 0 || !ReferenceEquals(deferred[^1], sender))
        {
            deferred.Add(sender);
        }

        return true;
    }

    private static void End()
    {
        if (--t_depth > 0 || t_deferred is not { Count: > 0 } deferred)
        {
            return;
        }

        // Taken out first: writing may run other code on this thread (the transport's continuations) that opens a
        // stretch of its own.
        t_deferred = null;
        foreach (var sender in deferred)
        {
            sender.WriteDeferred();
        }

        deferred.Clear();
        t_deferred ??= deferred;
    }

    public readonly struct Stretch : IDisposable
    {
        public void Dispose() => End();
    }
}
