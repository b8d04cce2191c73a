using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// Kestrel's entry point for MQTT: the same handler serves raw TCP connections and WebSocket connections (mapped
/// through ASP.NET Core's connection dispatcher, which presents the WebSocket as a byte stream).
/// </summary>
public sealed class BrokerConnectionHandler(GatewayServices services) : ConnectionHandler
{
    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        // MQTT over WebSocket is carried in binary frames [MQTT-6.0.0-1].
        if (connection.Features.Get<ITransferFormatFeature>() is { } format)
        {
            format.ActiveFormat = TransferFormat.Binary;
        }

        // Returned, not awaited: an idle connection holds one waiting method less.
        return new MqttConnection(connection, Listeners.GatewayListener.Of(connection)?.Services ?? services).RunAsync();
    }
}
