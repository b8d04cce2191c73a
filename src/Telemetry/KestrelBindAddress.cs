using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MqttCluster.Telemetry;

/// <summary>
/// A listener address as the settings give it (<c>Mqtt:BindAddress</c>, <c>Management:BindAddress</c>): an IP
/// address, <c>*</c> for every interface or <c>localhost</c>. One reading of it for every listener the hosts open.
/// </summary>
public static class KestrelBindAddress
{
    public static void Listen(KestrelServerOptions kestrel, string address, int port, Action<ListenOptions> configure)
    {
        switch (address)
        {
            case "*":
                kestrel.ListenAnyIP(port, configure);
                break;
            case "localhost":
                kestrel.ListenLocalhost(port, configure);
                break;
            default:
                kestrel.Listen(IPAddress.Parse(address), port, configure);
                break;
        }
    }

    /// <summary>The one address to probe for <paramref name="address"/> (loopback for <c>localhost</c>).</summary>
    public static IPAddress Resolve(string address) => address switch
    {
        "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.Parse(address),
    };
}
