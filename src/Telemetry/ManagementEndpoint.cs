using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MqttCluster.Telemetry;

/// <summary>The management listener as bound (with port 0, Kestrel's choice is known once the server started).</summary>
public sealed class ManagementEndpoint
{
    internal ListenOptions? Listener { get; set; }

    public IPEndPoint? EndPoint => Listener?.IPEndPoint;

    /// <summary>True for requests that came in on the management port, not on an MQTT WebSocket port.</summary>
    internal bool Serves(HttpContext context) =>
        EndPoint is { } endPoint && context.Connection.LocalPort == endPoint.Port;
}
