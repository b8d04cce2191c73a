using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace MqttCluster.Gateway.Admin;

/// <summary>How the REST API writes answers and reads query parameters.</summary>
internal static class AdminResponses
{
    public const int MaxPageSize = 1000;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task ProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ProblemDetails(title, status, detail), Json, "application/problem+json");
    }

    public static int? QueryInt(HttpContext context, string name) =>
        int.TryParse(context.Request.Query[name].ToString(), CultureInfo.InvariantCulture, out var value) ? value : null;

    public static int Offset(HttpContext context) => Math.Max(0, QueryInt(context, "offset") ?? 0);

    public static int Count(HttpContext context) => Math.Clamp(QueryInt(context, "count") ?? 100, 0, MaxPageSize);
}
