using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Connections.Features;

namespace MqttCluster.Gateway.Transport;

/// <summary>What an MQTT connection asks of its transport (a TCP connection or a WebSocket): the client's address,
/// stopping the input where the client stopped sending, and closing without cutting off what was written last.</summary>
internal static class ConnectionTransport
{
    /// <summary>The client's address; a WebSocket connection has none of its own, it is on the HTTP request.</summary>
    public static string? RemoteAddress(ConnectionContext transport)
    {
        if (transport.RemoteEndPoint is { } endPoint)
        {
            return endPoint.ToString();
        }

        var http = transport.Features.Get<IHttpContextFeature>()?.HttpContext?.Connection;
        return http?.RemoteIpAddress is { } address ? new System.Net.IPEndPoint(address, http.RemotePort).ToString() : null;
    }

    /// <summary>
    /// Ends the input where the client stopped sending. A TCP socket's receive side is shut down: the kernel still
    /// hands over what it received (also what the transport read and has not passed on yet, and what sits in the
    /// receive buffer), then reports the end of the input. A WebSocket has its own framing on the socket: the reader
    /// stops after the frames the transport has.
    /// </summary>
    public static void StopReceiving(ConnectionContext transport, MqttPacketReader reader)
    {
        if (!ShutDownReceiving(transport))
        {
            reader.StopAfterBuffered();
        }
    }

    /// <summary>Shuts a TCP socket's receive side down; false when the connection is not plain TCP or has no socket.</summary>
    private static bool ShutDownReceiving(ConnectionContext transport)
    {
        if (transport.Features.Get<ITransferFormatFeature>() is not null
            || transport.Features.Get<IConnectionSocketFeature>()?.Socket is not { } socket)
        {
            return false;
        }

        try
        {
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Receive);
            return true;
        }
        catch (Exception exception) when (exception is ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            // Closed already: the input ends (or has ended) by itself.
            return true;
        }
    }

    /// <summary>
    /// Closes the transport. When everything written reached it (<paramref name="sent"/>) it is completed, not
    /// aborted: it still holds what was written last (a final DISCONNECT, a refusing CONNACK), which completing sends
    /// before the socket closes; the wait for that is bounded, so a shutdown that follows does not cut it off. When
    /// the client stopped reading, nothing more will reach it: aborted.
    /// </summary>
    public static async Task CloseAsync(ConnectionContext transport, bool sent)
    {
        if (!sent)
        {
            transport.Abort();
            return;
        }

        await transport.Transport.Output.CompleteAsync();
        await transport.Transport.Input.CompleteAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = transport.ConnectionClosed.Register(() => closed.TrySetResult());
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
