using MqttCluster.Silo.Configuration;

namespace MqttCluster.Gateway.Tests.Listeners;

/// <summary>
/// A mosquitto.conf without a listener line: Mosquitto 2 listens on 1883 (loopback) only when nothing defines a
/// listener, and a port on the command line defines one.
/// </summary>
public sealed class ImpliedListenerTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"implied-{Guid.NewGuid():N}.conf");

    public ImpliedListenerTests() => File.WriteAllText(_file, "allow_anonymous true\n");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Without_a_port_on_the_command_line_the_file_implies_1883_on_loopback()
    {
        var loader = MosquittoConfigLoader.Load(["-c", _file], TextWriter.Null)!;

        Assert.Equal(("1883", "127.0.0.1"), (loader.Settings["Mqtt:Listeners:0:Port"], loader.Settings["Mqtt:Listeners:0:BindAddress"]));
    }

    [Theory]
    [InlineData("--port", "1999")]
    [InlineData("--ws-port", "1999")]
    [InlineData("--Mqtt:TcpPort=1999", null)]
    public void A_port_on_the_command_line_replaces_the_implied_listener(string argument, string? value)
    {
        string[] args = value is null ? ["-c", _file, argument] : ["-c", _file, argument, value];

        var loader = MosquittoConfigLoader.Load(args, TextWriter.Null)!;

        Assert.DoesNotContain(loader.Settings.Keys, k => k.StartsWith("Mqtt:Listeners:", StringComparison.Ordinal));
        Assert.Equal("-1", loader.Settings["Mqtt:TcpPort"]);
    }
}
