using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MqttCluster.Telemetry;

/// <summary>The management listener as bound (with port 0, Kestrel's choice is known once the server started).</summary>
public sealed class ManagementEndpoint
{
    internal ListenOptions? Listener { get; set; }

    public IPEndPoint? EndPoint => Listener?.IPEndPoint;

    /// <summary>Why there is no management port although one was wanted (the default port was taken).</summary>
    public string? Skipped { get; init; }

    /// <summary>For the start-up line: the URL, or why there is none.</summary>
    public string Description => EndPoint is { } endPoint ? $"http://{endPoint}/" : Skipped ?? "off";

    /// <summary>True for requests that came in on the management port, not on an MQTT WebSocket port.</summary>
    internal bool Serves(HttpContext context) =>
        EndPoint is { } endPoint && context.Connection.LocalPort == endPoint.Port;
}
