using System.IO.Pipelines;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Lets a client read the last packet the broker sent (a DISCONNECT with its reason code, a refusing CONNACK)
/// when it is still writing: closing a socket with unread input makes TCP answer with a reset, and a client that
/// is in the middle of a write (PUBRELs for the PUBRECs it just got) sees a broken pipe and never reads why.
/// So the broker goes on reading and discarding for a short, bounded time, until the client closes its side
/// [MQTT-4.13.1-1 lets the receiver close; the sender of the reason code must get it through first].
/// </summary>
/// <remarks>
/// Our side is shut for writing only when the transport closes: Kestrel closes the whole socket once its output
/// completes, so the output stays open (and silent) while this drains; the DISCONNECT already told the client to
/// close, and it does, which ends the drain at once.
/// </remarks>
internal static class ClosingDrain
{
    /// <summary>How long a client that keeps writing after our last packet is read before the socket closes.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    /// <summary>Reads and discards until the client closes or <paramref name="linger"/> has passed.</summary>
    public static async Task DrainAsync(PipeReader input, TimeSpan linger)
    {
        // Real time, not the broker's TimeProvider: this waits on the network, and a test's fake clock would
        // hold the connection open for ever.
        using var timeout = new CancellationTokenSource(linger);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException or IOException
            or Microsoft.AspNetCore.Connections.ConnectionResetException or Microsoft.AspNetCore.Connections.ConnectionAbortedException)
        {
            // Linger over, reading already completed, or the client reset the connection: nothing more to wait for.
        }
    }
}
