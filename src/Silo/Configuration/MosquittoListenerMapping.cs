using System.Globalization;
using MqttCluster.Core.Configuration;

namespace MqttCluster.Silo.Configuration;

/// <summary>
/// A mosquitto.conf's listeners as <c>Mqtt:Listeners:N:*</c>, each with its address, protocol, TLS, mount point,
/// maximum QoS and, with <c>per_listener_settings true</c>, its own allow_anonymous / password_file / acl_file.
/// The <c>Mqtt</c> section's own listeners are turned off: the file says which listeners exist.
/// </summary>
internal static class MosquittoListenerMapping
{
    public static void Map(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        var settings = result.Settings;
        settings["Mqtt:TcpPort"] = "-1";
        settings["Mqtt:WebSocketPort"] = "-1";
        settings["Mqtt:Tls:Port"] = "-1";
        settings["Mqtt:Tls:WebSocketPort"] = "-1";

        var listeners = config.Listeners;
        for (var i = 0; i < listeners.Count; i++)
        {
            var listener = listeners[i];
            var key = $"Mqtt:Listeners:{i}:";
            if (listener.MaxConnections >= 0)
            {
                result.Warn(listener, "max_connections is not enforced per listener; Mqtt:MaxConnections limits the whole node");
            }

            settings[key + "Port"] = Text(listener.Port);
            settings[key + "BindAddress"] = BindAddressOf(listener);
            settings[key + "Protocol"] = listener.Protocol.ToString();
            settings[key + "MountPoint"] = listener.MountPoint;
            settings[key + "MaximumQoS"] = Text(listener.MaxQos);
            if (listener.UsesTls)
            {
                settings[key + "Tls:CertificateFile"] = listener.CertFile;
                settings[key + "Tls:KeyFile"] = listener.KeyFile;
                settings[key + "Tls:CaFile"] = listener.CaFile;
                settings[key + "Tls:CrlFile"] = listener.CrlFile;
                settings[key + "Tls:RequireClientCertificate"] = Flag(listener.RequireCertificate);
                settings[key + "Tls:UseIdentityAsUsername"] = Flag(listener.UseIdentityAsUsername);
                settings[key + "Tls:UseSubjectAsUsername"] = Flag(listener.UseSubjectAsUsername);
            }
        }

        MapSecurity(config, result);
    }

    private static void MapSecurity(MosquittoConfig config, MosquittoConfigMappingResult result)
    {
        var listeners = config.Listeners;
        var dynamicSecurity = listeners.Select(config.SecurityFor).Select(s => (s.DynamicSecurity, s.DynamicSecurityFile)).Distinct().ToArray();
        if (dynamicSecurity.Length > 1)
        {
            // The dynamic-security state is one for the whole cluster, so every listener uses it or none does.
            result.Fail(listeners[^1], "the dynamic-security plugin must be loaded for every listener or for none here");
            return;
        }

        if (dynamicSecurity is [(true, null)])
        {
            result.Fail(listeners[^1], "the dynamic-security plugin needs plugin_opt_config_file (create one with: mosquitto_ctrl dynsec init FILE admin)");
            return;
        }

        if (dynamicSecurity is [(true, { } dynamicSecurityFile)])
        {
            result.Settings["Security:DynamicSecurityFile"] = dynamicSecurityFile;
        }

        if (!config.PerListenerSettings || dynamicSecurity is [(true, _)])
        {
            // One set of rules: Mosquitto's global allow_anonymous rule gives every listener the same answer.
            result.Settings["Security:AllowAnonymous"] = Flag(config.AllowsAnonymous(listeners[0]));
            result.Settings["Security:PasswordFile"] = config.Security.PasswordFile;
            result.Settings["Security:AclFile"] = config.Security.AclFile;
            return;
        }

        for (var i = 0; i < listeners.Count; i++)
        {
            var security = listeners[i].Security;
            var key = $"Mqtt:Listeners:{i}:Security:";
            result.Settings[key + "AllowAnonymous"] = Flag(config.AllowsAnonymous(listeners[i]));
            result.Settings[key + "PasswordFile"] = security.PasswordFile;
            result.Settings[key + "AclFile"] = security.AclFile;
        }
    }

    // Mosquitto: no address means every interface; local-only mode means loopback.
    private static string BindAddressOf(MosquittoListener listener) =>
        listener.Origin == ListenerOrigin.LocalOnly ? "127.0.0.1" : listener.BindAddress ?? "*";

    private static string Flag(bool value) => value ? "true" : "false";

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
