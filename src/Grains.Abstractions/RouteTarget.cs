namespace MqttCluster.Grains;

/// <summary>
/// Who a route points at: a gateway (it fans out to its local sessions) or an offline persistent session (its
/// session grain queues the message). Keys are strings so the route index treats both alike.
/// </summary>
public static class RouteTarget
{
    private const string GatewayPrefix = "g:";
    private const string SessionPrefix = "s:";

    public static string Gateway(string gatewayId) => GatewayPrefix + gatewayId;

    public static string Session(string clientId) => SessionPrefix + clientId;

    public static bool IsGateway(string target, out string gatewayId)
    {
        if (target.StartsWith(GatewayPrefix, StringComparison.Ordinal))
        {
            gatewayId = target[GatewayPrefix.Length..];
            return true;
        }

        gatewayId = string.Empty;
        return false;
    }

    public static bool IsSession(string target, out string clientId)
    {
        if (target.StartsWith(SessionPrefix, StringComparison.Ordinal))
        {
            clientId = target[SessionPrefix.Length..];
            return true;
        }

        clientId = string.Empty;
        return false;
    }
}
