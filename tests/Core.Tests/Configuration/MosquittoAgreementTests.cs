namespace MqttCluster.Core.Tests.Configuration;

/// <summary>
/// The same configurations given to this parser and to the installed Mosquitto 2: where Mosquitto stops with a
/// syntax error, we report an error on the same line. Rows where the two differ are deliberate and say why.
/// </summary>
public sealed class MosquittoAgreementTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>Name, configuration ('|' separates lines), Mosquitto's error line, our first error line (null = accepted).</summary>
    public static TheoryData<string, string, int?, int?> Cases => new()
    {
        { "seed config", "port 18901|listener 18902|protocol websockets", null, null },
        { "Raspberry Pi config", "listener 18903|listener 18904|protocol websockets|allow_anonymous true|persistence true|persistence_location /tmp/", null, null },
        { "trailing blanks and a comment after the listener port", "listener 18905 127.0.0.1   |listener 18906 # tcp|allow_anonymous true ", null, null },
        { "protocol before any listener", "protocol websockets|listener 18907 127.0.0.1", null, null },
        { "several log lines", "log_dest stdout|log_dest syslog|log_type error|log_type subscribe", null, null },
        { "unknown option", "listener 18908 127.0.0.1|foo_bar 1", 2, 2 },
        { "option names are case-sensitive", "Port 18909", 1, 1 },
        { "bad boolean", "allow_anonymous yes", 1, 1 },
        { "non-numeric port", "port abc", 1, 1 },
        { "port out of range", "port 70000", 1, 1 },
        { "listener without port", "listener", 1, 1 },
        { "unknown protocol", "listener 18910|protocol mqttsn", 2, 2 },
        { "missing value", "persistence", 1, 1 },
        { "duplicate password_file", "password_file /tmp/a|password_file /tmp/b", 2, 2 },
        { "per_listener_settings after a security option", "password_file /tmp/pw|per_listener_settings true", 2, 2 },
        { "duration without unit", "persistent_client_expiration 14", 1, 1 },
        { "zero duration", "persistent_client_expiration 0d", 1, 1 },
        { "max_packet_size below 20", "max_packet_size 10", 1, 1 },
        { "sys_interval above 65535", "sys_interval 70000", 1, 1 },
        { "max_inflight_messages above 65535", "max_inflight_messages 70000", 1, 1 },
        { "message_size_limit above the MQTT maximum", "message_size_limit 300000000", 1, 1 },
        { "bad log_dest", "log_dest console", 1, 1 },
        { "log_dest file without path", "log_dest file", 1, 1 },
        { "second log file", "log_dest file /tmp/a.log|log_dest file /tmp/b.log", 2, 2 },
        { "bad log_type", "log_type verbose", 1, 1 },
        { "missing include_dir", "include_dir /nonexistent-mosquitto-dir", 1, 1 },
        { "bridge option without bridge", "topic sensors/#", 1, 1 },
        { "a bridge", "connection cloud|address 127.0.0.1:1|topic # both 1 local/ remote/|cleansession true", null, null },
        { "bridge topic with a bad direction", "connection cloud|address 127.0.0.1:1|topic # sideways", 3, 3 },
        { "bridge topic with a bad QoS", "connection cloud|address 127.0.0.1:1|topic # out 3", 3, 3 },
        { "bridge topic with an empty pattern and one prefix", "connection cloud|address 127.0.0.1:1|topic \"\" out 0 local/", 3, 3 },
        { "plugin option without plugin", "auth_opt_db mysql", 1, 1 },
        { "comment after bind_address", "bind_address 127.0.0.1 # lan", 1, 1 },
        { "mount_point before any listener", "mount_point tenant/", 1, 1 },

        // Deliberate differences.
        { "atoi reads 'many' as 0 (unlimited); we refuse", "max_queued_messages many", null, 1 },
        { "atoi reads '1.5d' as 1 day; we refuse", "persistent_client_expiration 1.5d", null, 1 },
        { "unsupported plugin: fine for Mosquitto, refused here", "auth_plugin /usr/lib/auth.so", null, 1 },
        { "require_certificate without TLS: Mosquitto ignores it, we refuse", "listener 18911|require_certificate true", null, 2 },
        { "security option before any listener with per_listener_settings", "per_listener_settings true|allow_anonymous true|listener 18912", null, 2 },
        { "indented comment: Mosquitto refuses, we read a comment", "listener 18913 127.0.0.1|  # comment", 2, null },
        { "tab after the name: Mosquitto refuses, we accept", "listener\t18914 127.0.0.1", 1, null },
    };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public void OurParserReportsTheExpectedLine(string name, string text, int? mosquittoLine, int? ourLine)
    {
        _ = (name, mosquittoLine);
        var config = Conf.Parse(text.Split('|'));

        Assert.Equal(ourLine, Conf.Errors(config).Select(e => (int?)e.Line).FirstOrDefault());
    }

    [MosquittoTheory]
    [MemberData(nameof(Cases))]
    public async Task MosquittoReportsTheExpectedLine(string name, string text, int? mosquittoLine, int? ourLine)
    {
        _ = (name, ourLine);
        Assert.Equal(mosquittoLine, await MosquittoBinary.RejectedLineAsync(_dir, text.Replace('|', '\n')));
    }
}
