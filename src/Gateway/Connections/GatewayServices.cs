using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MqttCluster.Core.Telemetry;
using MqttCluster.Gateway.Cluster;
using MqttCluster.Gateway.Subscriptions;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>What every connection of this gateway shares.</summary>
public sealed class GatewayServices(
    IOptions<GatewayOptions> options,
    IOptions<SessionOptions> sessions,
    GatewayIdentity identity,
    IOptions<Security.SecurityOptions> security,
    Security.IClientAuthenticator authenticator,
    Security.IClientAuthorizer authorizer,
    IBrokerCluster cluster,
    LocalSubscriptions subscriptions,
    DepartedSessions departedSessions,
    ConnectedClients clients,
    KeepAliveSweep keepAlive,
    TimeProvider timeProvider,
    IHostApplicationLifetime lifetime,
    BrokerMetrics metrics,
    ILoggerFactory loggerFactory)
{
    public GatewayOptions Options { get; } = options.Value;

    public SessionOptions Sessions { get; } = sessions.Value;

    public Security.SecurityOptions Security { get; } = security.Value;

    public Security.IClientAuthenticator Authenticator { get; private set; } = authenticator;

    public Security.IClientAuthorizer Authorizer { get; private set; } = authorizer;

    /// <summary>The settings of the listener the connection arrived on.</summary>
    public Listeners.ListenerSettings Listener { get; private set; } = Listeners.ListenerSettings.Default;

    public string GatewayId => identity.GatewayId;

    /// <summary>This gateway's endpoint for grains; registered before the listeners accept clients.</summary>
    public IGatewayObserver GatewayReference => identity.Reference
        ?? throw new InvalidOperationException("The gateway has not registered with the cluster yet.");

    public IBrokerCluster Cluster { get; } = cluster;

    public LocalSubscriptions Subscriptions { get; } = subscriptions;

    /// <summary>Persistent sessions that just left this gateway, for deliveries that arrive after them.</summary>
    public DepartedSessions DepartedSessions { get; } = departedSessions;

    public ConnectedClients Clients { get; } = clients;

    public KeepAliveSweep KeepAlive { get; } = keepAlive;

    public TimeProvider TimeProvider { get; } = timeProvider;

    /// <summary>Signalled when the host shuts down: connections say goodbye and close.</summary>
    public CancellationToken Stopping { get; } = lifetime.ApplicationStopping;

    public BrokerMetrics Metrics { get; } = metrics;

    public ILogger Logger { get; } = loggerFactory.CreateLogger("MqttCluster.Gateway.Connection");

    /// <summary>Connects, disconnects, lost connections and takeovers: Mosquitto's "connection messages", which
    /// <c>connection_messages false</c> turns off (the category at Warning) without the connection's other lines.</summary>
    public ILogger ConnectionMessages { get; } = loggerFactory.CreateLogger(ConnectionMessagesCategory);

    public const string ConnectionMessagesCategory = "MqttCluster.Gateway.Connection.Lifecycle";

    /// <summary>These services as one listener's connections see them (built once per listener).</summary>
    public GatewayServices ForListener(Listeners.ListenerSettings listener, Security.IClientAuthenticator listenerAuthenticator, Security.IClientAuthorizer listenerAuthorizer)
    {
        var view = (GatewayServices)MemberwiseClone();
        view.Listener = listener;
        view.Authenticator = listenerAuthenticator;
        view.Authorizer = listenerAuthorizer;
        return view;
    }
}
