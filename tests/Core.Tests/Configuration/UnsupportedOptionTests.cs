using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class UnsupportedOptionTests
{
    /// <summary>
    /// Refused: ignoring the line would let in clients Mosquitto refuses, or weaken TLS or authentication. Each row is written where Mosquitto accepts it (inside a TLS listener section).
    /// </summary>
    [Theory]
    [InlineData("auth_plugin /usr/lib/mosquitto-auth-plugin/auth-plugin.so")]
    [InlineData("global_plugin /usr/lib/plugin.so")]
    [InlineData("auth_opt_backends mysql")]
    [InlineData("plugin_opt_config_file /etc/mosquitto/dynsec.json")] // without the dynamic-security plugin
    [InlineData("auth_plugin_deny_special_chars false")]
    [InlineData("psk_hint broker")]
    [InlineData("psk_file /etc/mosquitto/pskfile")]
    [InlineData("capath /etc/ssl/certs")]
    [InlineData("ciphers ECDHE-RSA-AES256-GCM-SHA384")]
    [InlineData("ciphers_tls1.3 TLS_AES_256_GCM_SHA384")]
    [InlineData("tls_version tlsv1.3")]
    [InlineData("tls_engine pkcs11")]
    [InlineData("tls_keyform engine")]
    [InlineData("tls_engine_kpass_sha1 0123456789abcdef0123456789abcdef01234567")]
    [InlineData("use_username_as_clientid true")]
    [InlineData("clientid_prefixes secure-")]
    [InlineData("allow_zero_length_clientid false")]
    [InlineData("accept_protocol_versions 5")]
    [InlineData("bind_interface eth0")]
    [InlineData("websockets_origin https://example.com")]
    [InlineData("disable_client_cert_date_checks true")]
    public void OptionsWhoseAbsenceWouldWeakenSecurityAreErrors(string option) =>
        AssertOnlyDiagnostic(option, ConfigSeverity.Error);

    /// <summary>Harmless to ignore: process management, logging details, tuning and resource limits.</summary>
    [Theory]
    [InlineData("user mosquitto")]
    [InlineData("pid_file /run/mosquitto/mosquitto.pid")]
    [InlineData("websockets_log_level 255")]
    [InlineData("websockets_headers_size 4096")]
    [InlineData("log_facility 5")]
    [InlineData("log_timestamp false")]
    [InlineData("log_timestamp_format %Y-%m-%dT%H:%M:%S")]
    [InlineData("autosave_on_changes true")]
    [InlineData("set_tcp_nodelay true")]
    [InlineData("allow_duplicate_messages false")]
    [InlineData("retry_interval 20")]
    [InlineData("check_retain_source true")]
    [InlineData("auto_id_prefix auto-")]
    [InlineData("allow_zero_length_clientid true")]
    [InlineData("disable_client_cert_date_checks false")]
    [InlineData("memory_limit 1000000")]
    [InlineData("max_inflight_bytes 100000")]
    [InlineData("max_queued_bytes 100000")]
    [InlineData("max_topic_alias 10")]
    [InlineData("max_topic_alias_broker 10")]
    [InlineData("global_max_clients 100")]
    [InlineData("global_max_connections 100")]
    [InlineData("enable_control_api true")]
    [InlineData("quic_log_level 1")]
    [InlineData("dhparamfile /etc/mosquitto/dhparam.pem")]
    [InlineData("http_dir /usr/share/mosquitto/www")]
    [InlineData("socket_domain ipv4")]
    public void OptionsThatAreHarmlessToIgnoreAreWarnings(string option) =>
        AssertOnlyDiagnostic(option, ConfigSeverity.Warning);

    [Theory]
    [InlineData("topic sensors/#")]
    [InlineData("address 10.0.0.1")]
    [InlineData("username pi")]
    [InlineData("cleansession true")]
    public void ABridgeOptionWithoutABridgeIsAnErrorAsInMosquitto(string option)
    {
        var error = Conf.Single(Conf.Parse(option), ConfigSeverity.Error);
        Assert.Contains("'connection NAME'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueDependentOptionStillNeedsAValidBoolean()
    {
        var error = Conf.Single(Conf.Parse("allow_zero_length_clientid yes"), ConfigSeverity.Error);
        Assert.Contains("not a boolean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsupportedOptionsStillNeedAValue()
    {
        var error = Conf.Single(Conf.Parse("user"), ConfigSeverity.Error);
        Assert.Equal("missing value", error.Message);
    }

    private static void AssertOnlyDiagnostic(string option, ConfigSeverity severity)
    {
        var config = Conf.Parse("listener 8883", "certfile /c.pem", "keyfile /k.pem", "allow_anonymous true", option);

        var diagnostic = Assert.Single(config.Diagnostics);
        Assert.Equal((severity, 5, option.Split(' ')[0]), (diagnostic.Severity, diagnostic.Line, diagnostic.Option));
        Assert.NotEmpty(diagnostic.Message);
    }
}
