using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging.Console;

namespace MqttCluster.Gateway.Hosting;

/// <summary>
/// Readiness for systemd's <c>Type=notify</c> units (deploy/systemd): READY=1 once the host has started (the silo
/// joined, the MQTT listeners accept clients), STOPPING=1 when it begins to stop, journald log priorities.
/// </summary>
public static class SystemdReadiness
{
    private const string NotifySocketVariable = "NOTIFY_SOCKET";

    public static IServiceCollection AddSystemdReadiness(this IServiceCollection services)
    {
        if (SystemdHelpers.IsSystemdService())
        {
            return services.AddSystemd();
        }

        // Microsoft.Extensions.Hosting.Systemd 10.0 recognises systemd by reading /proc/<parent>/comm, which our
        // units hide (ProtectProc=invisible: PID 1 belongs to another user). NOTIFY_SOCKET is systemd asking for
        // sd_notify messages, so answer it the same way (as later versions of that package do).
        if (!OperatingSystem.IsLinux() || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NotifySocketVariable)))
        {
            return services;
        }

        services.Configure<ConsoleLoggerOptions>(options => options.FormatterName = ConsoleFormatterNames.Systemd);
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<IHostLifetime, SystemdLifetime>();
        return services;
    }
}
