using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Configuration;
using MqttCluster.Gateway.Connections;
using MqttCluster.Gateway.Security;
using MqttCluster.Gateway.Transport;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Listeners;

/// <summary>
/// Every listener the gateway opens: those of the <c>Mqtt</c> section (TCP, WebSocket and their TLS twins, with
/// the <c>Security</c> section's rules) and each of <c>Mqtt:Listeners</c> with its own settings.
/// </summary>
public sealed class ConfiguredListeners : IDisposable
{
    private readonly List<GatewayListener> _all = [];
    private readonly List<MosquittoFileSecurity> _ownSecurity = [];
    private readonly GatewayServices _services;
    private readonly GatewayOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    public ConfiguredListeners(GatewayServices services, IOptions<GatewayOptions> options, ILoggerFactory loggerFactory)
    {
        _services = services;
        _options = options.Value;
        _loggerFactory = loggerFactory;
        var o = _options;
        Add("tcp", new MqttListenerOptions { Port = o.TcpPort });
        Add("websocket", new MqttListenerOptions { Port = o.WebSocketPort, Protocol = ListenerProtocol.WebSockets });
        Add("tls", new MqttListenerOptions { Port = o.Tls.Port, Tls = o.Tls });
        Add("wss", new MqttListenerOptions { Port = o.Tls.WebSocketPort, Protocol = ListenerProtocol.WebSockets, Tls = o.Tls });
        for (var i = 0; i < o.Listeners.Length; i++)
        {
            Add($"listener {i}", o.Listeners[i]);
        }
    }

    /// <summary>The listeners to open, the <c>Mqtt</c> section's first.</summary>
    public IReadOnlyList<GatewayListener> All => _all;

    public void Dispose()
    {
        foreach (var security in _ownSecurity)
        {
            security.Dispose();
        }
    }

    private void Add(string name, MqttListenerOptions listener)
    {
        if (listener.Port < 0)
        {
            return;
        }

        var bindAddress = listener.BindAddress ?? _options.BindAddress;
        var tls = listener.UsesTls ? listener.Tls : null;
        var mount = new TopicMount(listener.MountPoint);
        var settings = new ListenerSettings(name, new ListenerPacketPolicy(mount, (MqttQualityOfServiceLevel)listener.MaximumQoS, _options.MessageSizeLimit), tls);

        IClientAuthenticator authenticator = _services.Authenticator;
        IClientAuthorizer authorizer = _services.Authorizer;
        if (listener.Security is { } security)
        {
            var own = new MosquittoFileSecurity(security, MosquittoFileSecurity.IsLoopbackOnly(bindAddress), _loggerFactory.CreateLogger<MosquittoFileSecurity>());
            _ownSecurity.Add(own);
            (authenticator, authorizer) = (own, own);
        }

        if (!mount.IsNone)
        {
            authorizer = new MountedAuthorizer(authorizer, mount);
        }

        _all.Add(new GatewayListener(name, bindAddress, listener.Port, listener.Protocol, tls, _services.ForListener(settings, authenticator, authorizer)));
    }
}
