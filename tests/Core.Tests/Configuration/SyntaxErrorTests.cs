using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class SyntaxErrorTests
{
    /// <summary>Each row: the file (lines separated by '|'), the line and option of its only error, and part of the message.</summary>
    [Theory]
    [InlineData("port", 1, "port", "missing value")]
    [InlineData("port    ", 1, "port", "missing value")]
    [InlineData("listener", 1, "listener", "missing value")]
    [InlineData("port abc", 1, "port", "'abc' is not a whole number")]
    [InlineData("port 0", 1, "port", "between 1 and 65535")]
    [InlineData("port 65536", 1, "port", "between 1 and 65535")]
    [InlineData("port 1883.5", 1, "port", "not a whole number")]
    [InlineData("port 99999999999", 1, "port", "not a whole number")]
    [InlineData("listener 1883|protocol mqtts", 2, "protocol", "'mqtts' is not a protocol")]
    [InlineData("listener 1883|protocol WebSockets", 2, "protocol", "not a protocol")]
    [InlineData("allow_anonymous yes", 1, "allow_anonymous", "'yes' is not a boolean")]
    [InlineData("persistence True", 1, "persistence", "not a boolean")]
    [InlineData("# comment||persistence on", 3, "persistence", "not a boolean")]
    [InlineData("max_queued_messages many", 1, "max_queued_messages", "not a whole number")]
    [InlineData("max_inflight_messages 65536", 1, "max_inflight_messages", "between")]
    [InlineData("max_keepalive 65536", 1, "max_keepalive", "between 0 and 65535")]
    [InlineData("max_keepalive -1", 1, "max_keepalive", "between 0 and 65535")]
    [InlineData("max_packet_size 19", 1, "max_packet_size", "between 20 and")]
    [InlineData("message_size_limit 268435456", 1, "message_size_limit", "between 0 and 268435455")]
    [InlineData("message_size_limit -1", 1, "message_size_limit", "between 0 and 268435455")]
    [InlineData("sys_interval 65536", 1, "sys_interval", "between 0 and 65535")]
    [InlineData("persistent_client_expiration 14", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("persistent_client_expiration 0d", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("persistent_client_expiration 1.5d", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("persistent_client_expiration -1d", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("persistent_client_expiration 14D", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("persistent_client_expiration 99999999999y", 1, "persistent_client_expiration", "not a duration")]
    [InlineData("listener 1883|socket_domain ipv5", 2, "socket_domain", "not a socket domain")]
    [InlineData("persistence_location /a|persistence_location /b", 2, "persistence_location", "already set at")]
    [InlineData("listener 1883|certfile /a|certfile /b|keyfile /k", 3, "certfile", "already set at")]
    [InlineData("bind_address ::1|bind_address 127.0.0.1", 2, "bind_address", "already set at")]
    [InlineData("bind_address 127.0.0.1 # lan", 1, "bind_address", "not an address")]
    [InlineData("include_dir", 1, "include_dir", "missing value")]
    [InlineData("include_dir /nonexistent/mosquitto.d", 1, "include_dir", "cannot open the directory")]
    [InlineData("prot 1883", 1, "prot", "unknown option")]
    [InlineData("Port 1883", 1, "Port", "did you mean 'port'?")]
    public void SyntaxErrorsNameFileLineAndOption(string text, int line, string option, string message)
    {
        var config = Conf.Parse(text.Split('|'));

        var error = Assert.Single(Conf.Errors(config));
        Assert.Equal((Conf.MainFile, line, option), (error.File, error.Line, error.Option));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.True(config.HasErrors);
    }

    [Fact]
    public void EveryErrorIsReportedNotOnlyTheFirst()
    {
        var config = Conf.Parse("port x", "persistence maybe", "bogus 1");

        Assert.Equal([1, 2, 3], Conf.Errors(config).Select(e => e.Line));
    }

    [Fact]
    public void DiagnosticsPrintLikeCompilerMessages()
    {
        var error = Conf.Single(Conf.Parse("", "allow_anonymous yes"), ConfigSeverity.Error);
        Assert.Equal($"{Conf.MainFile}:2: error: allow_anonymous: 'yes' is not a boolean: use true or false", error.ToString());
    }

    [Fact]
    public void AnIndentedCommentIsReadAsACommentWithAWarningBecauseMosquittoRefusesIt()
    {
        var warning = Conf.Single(Conf.Parse("listener 1883", "    # allow_anonymous true", "allow_anonymous true"), ConfigSeverity.Warning);
        Assert.Equal((2, ""), (warning.Line, warning.Option));
    }

    [Fact]
    public void ATabAfterTheOptionNameWorksWithAWarningBecauseMosquittoRefusesIt()
    {
        var config = Conf.Parse("listener\t1883", "allow_anonymous true");

        Assert.Equal([1883], config.Listeners.Select(l => l.Port));
        Assert.Equal(1, Conf.Single(config, ConfigSeverity.Warning).Line);
    }

    [Fact]
    public void WhitespaceOnlyLinesAreBlank()
    {
        Conf.NoDiagnostics(Conf.Parse("   ", "\t", "persistence true", " \t "));
    }

    [Fact]
    public void AMissingFileIsAnErrorNotAnException()
    {
        var config = MosquittoConfigParser.Parse("/nonexistent/mosquitto.conf");

        var error = Assert.Single(config.Diagnostics);
        Assert.Equal((ConfigSeverity.Error, "/nonexistent/mosquitto.conf", 0), (error.Severity, error.File, error.Line));
    }
}
