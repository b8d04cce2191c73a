using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// One MQTT client connection of a bridge to its remote broker (a new one per attempt): CONNECT with the bridge's
/// identity and will, the remote subscriptions, and PUBLISH towards the remote. What arrives from the remote goes to
/// <c>onReceived</c>, which is awaited before the message is acknowledged to the remote.
/// </summary>
internal sealed class BridgeRemote : IAsyncDisposable
{
    private readonly BridgeOptions _options;
    private readonly IMqttClient _client;
    private readonly TaskCompletionSource _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public BridgeRemote(BridgeOptions options, Func<MqttApplicationMessage, Task> onReceived)
    {
        _options = options;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += async args =>
        {
            try
            {
                await onReceived(args.ApplicationMessage);
            }
            catch (Exception)
            {
                // Not acknowledged: the connection ends, and the remote sends it again to the next one (QoS 1/2
                // with a persistent remote session). The grain has logged why.
                args.AutoAcknowledge = false;
                _ = Task.Run(() => _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.UnspecifiedError).Build()));
            }
        };
        _client.DisconnectedAsync += args =>
        {
            if (args.ClientWasConnected)
            {
                _lost.TrySetResult();
            }

            return Task.CompletedTask;
        };
    }

    public bool IsMqtt5 => _options.ProtocolVersion == BridgeProtocolVersion.Mqtt50;

    /// <summary>How many QoS 1/2 messages may await the remote's acknowledgement at once on this connection.</summary>
    public int SendWindow { get; private set; } = 1;

    /// <summary>Completes when an established connection ends.</summary>
    public Task Lost => _lost.Task;

    /// <summary>
    /// Connects to <paramref name="address"/> and sets up the remote side: unsubscribes outgoing-only topics (when
    /// configured), subscribes incoming ones, and publishes the "up" notification. Throws when any of it fails.
    /// </summary>
    public async Task ConnectAsync(string address, BridgeRoutes routes, CancellationToken cancellationToken)
    {
        var connected = await _client.ConnectAsync(BuildOptions(address), cancellationToken);

        // The remote's Receive Maximum (MQTT 5; 0 when it sent none) bounds what may await its acknowledgement.
        SendWindow = IsMqtt5 && connected.ReceiveMaximum is > 0 and var remoteMaximum ? Math.Min(_options.MaxInflightMessages, (int)remoteMaximum) : _options.MaxInflightMessages;
        if (_options.AttemptUnsubscribe && routes.OutgoingOnlyRemoteFilters.Length > 0)
        {
            var unsubscribe = new MqttClientUnsubscribeOptionsBuilder();
            foreach (var filter in routes.OutgoingOnlyRemoteFilters)
            {
                unsubscribe.WithTopicFilter(filter);
            }

            await _client.UnsubscribeAsync(unsubscribe.Build(), cancellationToken);
        }

        if (routes.RemoteSubscriptions.Length > 0)
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var (filter, qos) in routes.RemoteSubscriptions)
            {
                // MQTT 5: no-local keeps our own messages from coming back, retain-as-published keeps their flag
                // [MQTT-3.8.3-3, MQTT-3.8.3-4]; MQTT 3.1.1 bridges get both from the bridge bit (try_private).
                subscribe.WithTopicFilter(f =>
                {
                    f.WithTopic(filter).WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos);
                    if (IsMqtt5)
                    {
                        f.WithNoLocal().WithRetainAsPublished();
                    }
                });
            }

            var result = await _client.SubscribeAsync(subscribe.Build(), cancellationToken);
            if (result.Items.FirstOrDefault(i => (int)i.ResultCode >= 0x80) is { } refused)
            {
                throw new InvalidOperationException($"the remote refused the subscription to '{refused.TopicFilter.Topic}' ({refused.ResultCode})");
            }
        }

        if (_options.Notifications && !_options.NotificationsLocalOnly)
        {
            await _client.PublishAsync(StateMessage(up: true), cancellationToken);
        }
    }

    /// <summary>Sends one message; true once the remote acknowledged it (QoS 1/2) or it was written (QoS 0).</summary>
    public async Task<bool> PublishAsync(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        // Success codes are below 0x80; MQTT 5's "no matching subscribers" (0x10) is one of them.
        var result = await _client.PublishAsync(message, cancellationToken);
        return (int)result.ReasonCode < 0x80;
    }

    /// <summary>Ends the connection cleanly. The remote then discards the will, so "down" is published first.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        if (_options.Notifications && !_options.NotificationsLocalOnly)
        {
            await _client.PublishAsync(StateMessage(up: false), cancellationToken);
        }

        await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private MqttApplicationMessage StateMessage(bool up) => new MqttApplicationMessageBuilder()
        .WithTopic(_options.EffectiveNotificationTopic)
        .WithPayload(BridgeMessageConversion.StatePayload(up))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .WithRetainFlag()
        .Build();

    /// <summary>The host and port of a <c>host:port</c> (or <c>[IPv6]:port</c>) address.</summary>
    public static (string Host, int Port) HostAndPort(string address)
    {
        var colon = address.LastIndexOf(':');
        return (address[..colon].Trim('[', ']'), int.Parse(address[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    private MqttClientOptions BuildOptions(string address)
    {
        var (host, port) = HostAndPort(address);
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId(_options.EffectiveRemoteClientId)
            .WithProtocolVersion(_options.ProtocolVersion switch
            {
                BridgeProtocolVersion.Mqtt31 => MqttProtocolVersion.V310,
                BridgeProtocolVersion.Mqtt50 => MqttProtocolVersion.V500,
                _ => MqttProtocolVersion.V311,
            })
            .WithCleanSession(_options.CleanSession)
            .WithKeepAlivePeriod(_options.KeepAliveInterval)
            .WithTimeout(TimeSpan.FromSeconds(10));

        // The bridge bit belongs to MQTT 3.1/3.1.1's protocol version byte; MQTT 5 uses subscription options.
        if (!IsMqtt5)
        {
            builder.WithTryPrivate(_options.TryPrivate);
        }
        else
        {
            // Mosquitto's bridge keeps its MQTT 5 session like a 3.1.1 persistent one unless told otherwise.
            builder.WithSessionExpiryInterval((uint)(_options.SessionExpiryInterval ?? (_options.CleanSession ? 0 : uint.MaxValue)));
            if (_options.ReceiveMaximum > 0)
            {
                builder.WithReceiveMaximum((ushort)_options.ReceiveMaximum);
            }
        }

        if (_options.MaxPacketSize > 0)
        {
            builder.WithMaximumPacketSize((uint)_options.MaxPacketSize);
        }

        if (_options.RemoteUsername is { } username)
        {
            builder.WithCredentials(username, _options.RemotePassword);
        }

        if (_options.Notifications && !_options.NotificationsLocalOnly)
        {
            builder.WithWillTopic(_options.EffectiveNotificationTopic)
                .WithWillPayload(BridgeMessageConversion.StatePayload(up: false))
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithWillRetain();
        }

        if (_options.CaFile is not null)
        {
            builder.WithTlsOptions(ConfigureTls);
        }

        return builder.Build();
    }

    private void ConfigureTls(MqttClientTlsOptionsBuilder tls)
    {
        var authorities = new X509Certificate2Collection();
        authorities.ImportFromPemFile(_options.CaFile!);
        var insecure = _options.Insecure;
        tls.UseTls()
            .WithCertificateValidationHandler(args => IsTrusted(args.Certificate, args.SslPolicyErrors, authorities, insecure))
            .WithSslProtocols(_options.TlsVersion switch
            {
                "tlsv1.3" => SslProtocols.Tls13,
                "tlsv1.2" => SslProtocols.Tls12,
#pragma warning disable SYSLIB0039 // Mosquitto still offers TLS 1.1 to bridges; only when asked for.
                "tlsv1.1" => SslProtocols.Tls11,
#pragma warning restore SYSLIB0039
                _ => SslProtocols.None,
            });
        if (_options.CertFile is { } certFile)
        {
            tls.WithClientCertificates([X509Certificate2.CreateFromPemFile(certFile, _options.KeyFile)]);
        }
    }

    /// <summary>
    /// The remote's certificate must chain to a CA of <c>bridge_cafile</c> (only those, not the system's) and, unless
    /// <c>bridge_insecure</c>, name the host connected to.
    /// </summary>
    private static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities, bool insecure)
    {
        if (certificate is null || (!insecure && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)))
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var remote = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(remote);
    }
}
