using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public class LoggingOptionTests
{
    [Theory]
    [InlineData(new[] { "log_dest stdout" }, MosquittoLogDestinations.Stdout)]
    [InlineData(new[] { "log_dest syslog", "log_dest topic" }, MosquittoLogDestinations.Syslog | MosquittoLogDestinations.Topic)]
    [InlineData(new[] { "log_dest stderr", "log_dest none" }, MosquittoLogDestinations.None)]
    [InlineData(new[] { "log_dest none", "log_dest stdout" }, MosquittoLogDestinations.Stdout)]
    public void LogDestinationsAddUpAndTheFirstReplacesTheDefault(string[] lines, MosquittoLogDestinations expected)
    {
        var config = Conf.Parse(lines);

        Conf.NoDiagnostics(config);
        Assert.Equal(expected, config.LogDestinations);
    }

    [Fact]
    public void LogDestFileKeepsTheRestOfTheLineAsAnAbsolutePath()
    {
        var config = Conf.Parse("log_dest file /var/log/mosquitto/mosquitto.log", "log_dest stdout");

        Conf.NoDiagnostics(config);
        Assert.Equal(MosquittoLogDestinations.File | MosquittoLogDestinations.Stdout, config.LogDestinations);
        Assert.Equal("/var/log/mosquitto/mosquitto.log", config.LogFile);
    }

    [Theory]
    [InlineData(new[] { "log_dest file" }, 1, "needs a path")]
    [InlineData(new[] { "log_dest file /a.log", "log_dest file /b.log" }, 2, "only one log file")]
    [InlineData(new[] { "log_dest console" }, 1, "not a log destination")]
    [InlineData(new[] { "log_type verbose" }, 1, "not a log type")]
    public void BadLogLinesAreErrors(string[] lines, int line, string message)
    {
        var error = Conf.Single(Conf.Parse(lines), ConfigSeverity.Error);
        Assert.Equal(line, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LogDestDltIsAcceptedButNotSupported()
    {
        var config = Conf.Parse("log_dest dlt", "log_dest stdout");

        Assert.Equal(MosquittoLogDestinations.Stdout, config.LogDestinations);
        Assert.Equal(1, Conf.Single(config, ConfigSeverity.Warning).Line);
    }

    [Theory]
    [InlineData(new[] { "log_type error" }, MosquittoLogTypes.Error)]
    [InlineData(new[] { "log_type error", "log_type subscribe", "log_type websockets" }, MosquittoLogTypes.Error | MosquittoLogTypes.Subscribe | MosquittoLogTypes.WebSockets)]
    [InlineData(new[] { "log_type all" }, MosquittoLogTypes.All)]
    [InlineData(new[] { "log_type all", "log_type none" }, MosquittoLogTypes.None)]
    [InlineData(new[] { "log_type none", "log_type debug" }, MosquittoLogTypes.Debug)]
    public void LogTypesAddUpAndTheFirstReplacesTheDefault(string[] lines, MosquittoLogTypes expected)
    {
        var config = Conf.Parse(lines);

        Conf.NoDiagnostics(config);
        Assert.Equal(expected, config.LogTypes);
    }

    [Fact]
    public void SeveralTypesOnOneLineKeepOnlyTheFirstAsMosquittoDoesAndWarn()
    {
        var config = Conf.Parse("log_type error warning");

        Assert.Equal(MosquittoLogTypes.Error, config.LogTypes);
        Assert.Contains("one log_type line per type", Conf.Single(config, ConfigSeverity.Warning).Message, StringComparison.Ordinal);
    }
}
