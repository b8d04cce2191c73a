using System.Globalization;
using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class GeneralOptionTests
{
    [Fact]
    public void DefaultsAreMosquitto2Defaults()
    {
        var config = Conf.Parse();

        Conf.NoDiagnostics(config);
        Assert.False(config.Persistence);
        Assert.Null(config.PersistenceLocation);
        Assert.Equal("mosquitto.db", config.PersistenceFile);
        Assert.Equal(TimeSpan.FromMinutes(30), config.AutosaveInterval);
        Assert.Equal(1000, config.MaxQueuedMessages);
        Assert.False(config.QueueQos0Messages);
        Assert.Equal(20, config.MaxInflightMessages);
        Assert.Equal(0, config.MessageSizeLimit);
        Assert.Null(config.MaxPacketSize);
        Assert.Equal(65535, config.MaxKeepAlive);
        Assert.Null(config.PersistentClientExpiration);
        Assert.True(config.RetainAvailable);
        Assert.Equal(TimeSpan.FromSeconds(10), config.SysInterval);
        Assert.Equal(MosquittoLogDestinations.Stderr, config.LogDestinations);
        Assert.Equal(MosquittoLogTypes.Error | MosquittoLogTypes.Warning | MosquittoLogTypes.Notice | MosquittoLogTypes.Information, config.LogTypes);
        Assert.False(config.PerListenerSettings);
        Assert.Equal([Conf.MainFile], config.Files);
    }

    /// <summary>One row per accepted value: the line, the property it sets and the property's value afterwards.</summary>
    [Theory]
    [InlineData("persistence true", nameof(MosquittoConfig.Persistence), "True")]
    [InlineData("persistence 1", nameof(MosquittoConfig.Persistence), "True")]
    [InlineData("retained_persistence true", nameof(MosquittoConfig.Persistence), "True")]
    [InlineData("persistence_location /var/lib/mosquitto/", nameof(MosquittoConfig.PersistenceLocation), "/var/lib/mosquitto")]
    [InlineData("persistence_location data", nameof(MosquittoConfig.PersistenceLocation), "/etc/mosquitto/data")]
    [InlineData("persistence_location /", nameof(MosquittoConfig.PersistenceLocation), "/")]
    [InlineData("persistence_location /srv/my broker/db   ", nameof(MosquittoConfig.PersistenceLocation), "/srv/my broker/db")]
    [InlineData("persistence_file broker.db", nameof(MosquittoConfig.PersistenceFile), "broker.db")]
    [InlineData("autosave_interval 60", nameof(MosquittoConfig.AutosaveInterval), "00:01:00")]
    [InlineData("autosave_interval 0", nameof(MosquittoConfig.AutosaveInterval), "00:00:00")]
    [InlineData("autosave_interval -5", nameof(MosquittoConfig.AutosaveInterval), "00:00:00")]
    [InlineData("max_queued_messages 5000", nameof(MosquittoConfig.MaxQueuedMessages), "5000")]
    [InlineData("max_queued_messages 0", nameof(MosquittoConfig.MaxQueuedMessages), "0")]
    [InlineData("max_queued_messages -1", nameof(MosquittoConfig.MaxQueuedMessages), "0")]
    [InlineData("queue_qos0_messages true", nameof(MosquittoConfig.QueueQos0Messages), "True")]
    [InlineData("connection_messages false", nameof(MosquittoConfig.ConnectionMessages), "False")]
    [InlineData("connection_messages true", nameof(MosquittoConfig.ConnectionMessages), "True")]
    [InlineData("max_inflight_messages 1", nameof(MosquittoConfig.MaxInflightMessages), "1")]
    [InlineData("max_inflight_messages 0", nameof(MosquittoConfig.MaxInflightMessages), "0")]
    [InlineData("max_inflight_messages 65535", nameof(MosquittoConfig.MaxInflightMessages), "0")]
    [InlineData("max_inflight_messages -3", nameof(MosquittoConfig.MaxInflightMessages), "0")]
    [InlineData("message_size_limit 1048576", nameof(MosquittoConfig.MessageSizeLimit), "1048576")]
    [InlineData("message_size_limit 268435455", nameof(MosquittoConfig.MessageSizeLimit), "268435455")]
    [InlineData("max_packet_size 20", nameof(MosquittoConfig.MaxPacketSize), "20")]
    [InlineData("max_packet_size 2147483647", nameof(MosquittoConfig.MaxPacketSize), "2147483647")]
    [InlineData("max_keepalive 0", nameof(MosquittoConfig.MaxKeepAlive), "0")]
    [InlineData("max_keepalive 300", nameof(MosquittoConfig.MaxKeepAlive), "300")]
    [InlineData("persistent_client_expiration 1h", nameof(MosquittoConfig.PersistentClientExpiration), "01:00:00")]
    [InlineData("persistent_client_expiration 14d", nameof(MosquittoConfig.PersistentClientExpiration), "14.00:00:00")]
    [InlineData("persistent_client_expiration 2w", nameof(MosquittoConfig.PersistentClientExpiration), "14.00:00:00")]
    [InlineData("persistent_client_expiration 2m", nameof(MosquittoConfig.PersistentClientExpiration), "60.00:00:00")]
    [InlineData("persistent_client_expiration 1y", nameof(MosquittoConfig.PersistentClientExpiration), "365.00:00:00")]
    [InlineData("retain_available false", nameof(MosquittoConfig.RetainAvailable), "False")]
    [InlineData("retain_available 0", nameof(MosquittoConfig.RetainAvailable), "False")]
    [InlineData("sys_interval 0", nameof(MosquittoConfig.SysInterval), "00:00:00")]
    [InlineData("sys_interval 65535", nameof(MosquittoConfig.SysInterval), "18:12:15")]
    [InlineData("per_listener_settings true", nameof(MosquittoConfig.PerListenerSettings), "True")]
    [InlineData("max_keepalive 60 # trailing comments after a number are dropped, as in Mosquitto", nameof(MosquittoConfig.MaxKeepAlive), "60")]
    [InlineData("persistence true   ", nameof(MosquittoConfig.Persistence), "True")]
    [InlineData("   persistence true", nameof(MosquittoConfig.Persistence), "True")]
    public void ParsesTypedValues(string line, string property, string expected)
    {
        var config = Conf.Parse(line);

        Conf.NoDiagnostics(config);
        var value = typeof(MosquittoConfig).GetProperty(property)!.GetValue(config);
        Assert.Equal(expected, Convert.ToString(value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ALaterBooleanOrNumberReplacesAnEarlierOne()
    {
        var config = Conf.Parse("persistence true", "persistence false", "max_queued_messages 1", "max_queued_messages 2");

        Conf.NoDiagnostics(config);
        Assert.False(config.Persistence);
        Assert.Equal(2, config.MaxQueuedMessages);
    }

    [Fact]
    public void WindowsLineEndingsAreAccepted()
    {
        var config = MosquittoConfigParser.ParseText("persistence true\r\nmax_queued_messages 7\r\n", Conf.MainFile);

        Conf.NoDiagnostics(config);
        Assert.True(config.Persistence);
        Assert.Equal(7, config.MaxQueuedMessages);
    }

    [Fact]
    public void ExtraWordsAfterANumberAreIgnoredWithAWarning()
    {
        var config = Conf.Parse("max_queued_messages 100 messages");

        Assert.Equal(100, config.MaxQueuedMessages);
        Assert.Contains("'messages'", Conf.Single(config, ConfigSeverity.Warning).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHashInsideAPathIsPartOfThePathAsInMosquittoWithAWarning()
    {
        var config = Conf.Parse("allow_anonymous false", "password_file /etc/mosquitto/passwd # users");

        Assert.Equal("/etc/mosquitto/passwd # users", config.Security.PasswordFile);
        Assert.Equal(2, Conf.Single(config, ConfigSeverity.Warning).Line);
    }
}
