using System.IO.Pipelines;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// Lets a client read the last packet the broker sent (a DISCONNECT with its reason code, a refusing CONNACK)
/// when it is still writing: closing a socket with unread input makes TCP answer with a reset, and a client that
/// is in the middle of a write (PUBRELs for the PUBRECs it just got) sees a broken pipe and never reads why.
/// So the broker goes on reading and discarding until the client closes its side, falls quiet (it is reading
/// now, and our last packet is already in its buffer) or a bounded linger has passed.
/// </summary>
/// <remarks>
/// Not a TCP half-close: Kestrel closes the whole socket once its output completes, and shutting the socket for
/// writing beside it could overtake the DISCONNECT still in Kestrel's send pipe. The output stays open and silent
/// while this drains; the DISCONNECT told the client to close [MQTT-3.14.4-1], which ends the drain at once.
/// </remarks>
internal static class ClosingDrain
{
    /// <summary>The longest a client that keeps writing after our last packet is read before the socket closes.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    /// <summary>A client that sends nothing for this long is reading (or gone): the socket closes.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads and discards until the client closes, is quiet for <paramref name="quiet"/>, or
    /// <paramref name="linger"/> has passed.</summary>
    public static async Task DrainAsync(PipeReader input, TimeSpan linger, TimeSpan quiet)
    {
        // Real time, not the broker's TimeProvider: this waits on the network, and a test's fake clock would
        // hold the connection open for ever.
        using var lingerTimeout = new CancellationTokenSource(linger);
        try
        {
            while (true)
            {
                using var quietTimeout = CancellationTokenSource.CreateLinkedTokenSource(lingerTimeout.Token);
                quietTimeout.CancelAfter(quiet);
                var result = await input.ReadAsync(quietTimeout.Token).ConfigureAwait(false);
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
            // Quiet, linger over, reading already completed, or the client reset the connection: nothing to wait for.
        }
    }
}
