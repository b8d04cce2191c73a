using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using MqttCluster.Gateway;
using MqttCluster.Gateway.Hosting;
using MqttCluster.Grains;
using MqttCluster.Core.Telemetry;
using MqttCluster.Silo.Hosting;
using MqttCluster.Telemetry;
using Orleans.Hosting.Kubernetes;

namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// The broker's configuration keys, read by reflection from its options classes (bound by section name), so a
/// deployment file that names a setting the code does not have, or gives it a value it cannot bind, fails here.
/// </summary>
internal static class BrokerSettings
{
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [GatewayOptions.Section] = typeof(GatewayOptions),
        [SessionOptions.Section] = typeof(SessionOptions),
        [SiloOptions.Section] = typeof(SiloOptions),
        [BrokerClusterOptions.Section] = typeof(BrokerClusterOptions),
        [ManagementOptions.Section] = typeof(ManagementOptions),
        [TelemetryOptions.Section] = typeof(TelemetryOptions),
    };

    // Console formatters that Microsoft.Extensions.Logging.Console registers.
    private static readonly string[] ConsoleFormatters = ["simple", "systemd", "json"];

    /// <summary>Environment variables that are not broker settings but are read by the runtime or its libraries.</summary>
    private static readonly Dictionary<string, string> OtherVariables = new(StringComparer.Ordinal)
    {
        // .NET runtime knobs (https://learn.microsoft.com/dotnet/core/runtime-config/garbage-collector): the GC
        // reads them once at start; numbers are hexadecimal.
        ["DOTNET_gcServer"] = "0|1",
        ["DOTNET_GCConserveMemory"] = "[0-9]",
        ["DOTNET_GCHeapHardLimit"] = "0x[0-9A-Fa-f]+",
        ["DOTNET_GCHeapHardLimitPercent"] = "0x[0-9A-Fa-f]+",
        ["DOTNET_ROOT"] = "/.*",
        // The host: Kestrel's default endpoint, emptied so only the MQTT listeners bind.
        ["ASPNETCORE_HTTP_PORTS"] = "",
        // OpenTelemetry's standard exporter variables (the OTLP exporter reads them with Telemetry:Exporter=otlp).
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "https?://.+:[0-9]+",
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc|http/protobuf",
        ["OTEL_SERVICE_NAME"] = ".+",
        // The systemd units' extra command-line arguments.
        ["MQTT_CLUSTER_ARGS"] = ".*",
        ["PATH"] = ".+",
        // What Orleans' Kubernetes hosting reads (Cluster:Kubernetes=true); set from the downward API.
        [KubernetesHostingOptions.PodNameEnvironmentVariable] = ".+",
        [KubernetesHostingOptions.PodNamespaceEnvironmentVariable] = ".+",
        [KubernetesHostingOptions.PodIPEnvironmentVariable] = ".+",
        [KubernetesHostingOptions.ClusterIdEnvironmentVariable] = ".+",
        [KubernetesHostingOptions.ServiceIdEnvironmentVariable] = ".+",
    };

    /// <summary>All keys, Section:Property, of the options classes.</summary>
    public static IEnumerable<string> Keys =>
        Sections.SelectMany(s => Settable(s.Value).Select(p => $"{s.Key}:{p.Name}"));

    /// <summary>Null when an environment variable is a broker setting with a bindable value or a known other
    /// variable; otherwise what is wrong with it.</summary>
    public static string? CheckEnvironmentVariable(string name, string? value)
    {
        if (OtherVariables.TryGetValue(name, out var pattern))
        {
            return value is null || System.Text.RegularExpressions.Regex.IsMatch(value, $"^(?:{pattern})$")
                ? null
                : $"{name}={value} does not match {pattern}";
        }

        return name.Contains("__", StringComparison.Ordinal)
            ? CheckKey(name.Replace("__", ":", StringComparison.Ordinal), value)
            : $"{name} is neither a broker setting (Section__Key) nor a known runtime variable";
    }

    /// <summary>Null when Section:Key exists in the code and the value binds to its type.</summary>
    public static string? CheckKey(string key, string? value)
    {
        var parts = key.Split(':');
        if (parts[0].Equals("Logging", StringComparison.OrdinalIgnoreCase))
        {
            return CheckLogging(parts, value);
        }

        if (parts.Length is < 2 or > 3 || !Sections.TryGetValue(parts[0], out var type))
        {
            return $"{key}: no options class is bound to section '{parts[0]}' (known: {string.Join(", ", Sections.Keys)})";
        }

        var property = Settable(type).FirstOrDefault(p => p.Name.Equals(parts[1], StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            return $"{key}: {type.Name} has no settable property '{parts[1]}' (it has {string.Join(", ", Settable(type).Select(p => p.Name))})";
        }

        var target = property.PropertyType;
        if (parts.Length == 3)
        {
            // An array element, Section:Key:0.
            if (!target.IsArray || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out _))
            {
                return $"{key}: {property.Name} is not an array";
            }

            target = target.GetElementType()!;
        }

        return value is null || Binds(target, value) ? null : $"{key}={value} cannot be bound to {target.Name}";
    }

    private static string? CheckLogging(string[] parts, string? value)
    {
        var key = string.Join(':', parts);
        if (parts.Length >= 3 && parts[1].Equals("LogLevel", StringComparison.OrdinalIgnoreCase))
        {
            return value is null || Enum.TryParse<LogLevel>(value, ignoreCase: true, out _) ? null : $"{key}={value} is not a log level";
        }

        if (parts.Length == 3 && parts[1].Equals("Console", StringComparison.OrdinalIgnoreCase) && parts[2].Equals("FormatterName", StringComparison.OrdinalIgnoreCase))
        {
            return value is null || ConsoleFormatters.Contains(value) ? null : $"{key}={value} is not a console formatter ({string.Join(", ", ConsoleFormatters)})";
        }

        return $"{key}: not a logging setting these checks know";
    }

    // What the configuration binder does with a string: the type's converter, invariant culture.
    private static bool Binds(Type type, string value)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        try
        {
            return TypeDescriptor.GetConverter(underlying).ConvertFromInvariantString(value) is not null || underlying == typeof(string);
        }
        catch (Exception exception) when (exception is FormatException or NotSupportedException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true);
}
