using Microsoft.AspNetCore.Http;

namespace MqttCluster.Telemetry;

/// <summary>
/// More pages on the management port (the status page), registered as services; asked in turn for every path
/// the port does not answer itself.
/// </summary>
public interface IManagementRoutes
{
    /// <summary>Answers the request and returns true, or returns false without touching the response.</summary>
    Task<bool> TryServeAsync(HttpContext context);
}
