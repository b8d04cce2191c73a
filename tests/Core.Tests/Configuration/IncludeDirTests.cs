using MqttCluster.Core.Configuration;

namespace MqttCluster.Core.Tests.Configuration;

public sealed class IncludeDirTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void IncludedFilesAreReadInOrderAfterTheLinesBeforeIncludeDir()
    {
        _dir.Write("conf.d/20-websockets.conf", "listener 9001", "protocol websockets");
        _dir.Write("conf.d/10-tcp.conf", "listener 1883", "max_queued_messages 10");
        _dir.Write("conf.d/README", "this is not a configuration file");
        var main = _dir.Write("mosquitto.conf", "max_queued_messages 5", "allow_anonymous true", "include_dir conf.d");

        var config = MosquittoConfigParser.Parse(main);

        Conf.NoDiagnostics(config);
        Assert.Equal([main, $"{_dir.Path}/conf.d/10-tcp.conf", $"{_dir.Path}/conf.d/20-websockets.conf"], config.Files);
        Assert.Equal([(1883, ListenerProtocol.Mqtt), (9001, ListenerProtocol.WebSockets)], config.Listeners.Select(l => (l.Port, l.Protocol)));
        Assert.Equal(10, config.MaxQueuedMessages); // the included file came later
    }

    [Fact]
    public void FilesLoadInMosquittosOrderUpperCaseBeforeLowerCaseOfTheSameLetter()
    {
        // The order documented in man 5 mosquitto.conf, and observed with Mosquitto 2.0.11 (with .h.conf first).
        string[] names = ["b.conf", "A.conf", "01.conf", "a.conf", "B.conf", "00.conf", "aA.conf", "Ab.conf", ".h.conf"];
        foreach (var name in names)
        {
            _dir.Write($"d/{name}", "persistence true");
        }

        _dir.Write("d/.conf", "ignored: Mosquitto needs a name before .conf");
        _dir.Write("d/x.CONF", "ignored: the suffix is case-sensitive");
        _dir.Write("d/y.conf.bak", "ignored");
        var main = _dir.Write("mosquitto.conf", "include_dir d");

        var config = MosquittoConfigParser.Parse(main);

        Conf.NoDiagnostics(config);
        Assert.Equal([".h.conf", "00.conf", "01.conf", "A.conf", "Ab.conf", "a.conf", "aA.conf", "B.conf", "b.conf"],
            config.Files.Skip(1).Select(Path.GetFileName));
    }

    [Fact]
    public void SeveralIncludeDirsAreReadOneAfterTheOther()
    {
        _dir.Write("one/b.conf", "max_queued_messages 2");
        _dir.Write("one/c.conf", "max_queued_messages 3");
        _dir.Write("two/a.conf", "max_queued_messages 1");
        var main = _dir.Write("mosquitto.conf", "include_dir one", "include_dir two");

        var config = MosquittoConfigParser.Parse(main);

        Assert.Equal(["mosquitto.conf", "b.conf", "c.conf", "a.conf"], config.Files.Select(Path.GetFileName));
        Assert.Equal(1, config.MaxQueuedMessages);
    }

    [Fact]
    public void ErrorsInAnIncludedFileNameThatFileAndItsLine()
    {
        var included = _dir.Write("conf.d/broken.conf", "# first line", "allow_anonymous maybe");
        var main = _dir.Write("mosquitto.conf", "include_dir conf.d");

        var error = Conf.Single(MosquittoConfigParser.Parse(main), ConfigSeverity.Error);

        Assert.Equal((included, 2, "allow_anonymous"), (error.File, error.Line, error.Option));
    }

    [Fact]
    public void IncludeDirInAnIncludedFileIsIgnoredAsInMosquitto()
    {
        _dir.Write("nested/x.conf", "persistence true");
        _dir.Write("conf.d/a.conf", "include_dir ../nested");
        var main = _dir.Write("mosquitto.conf", "include_dir conf.d");

        var config = MosquittoConfigParser.Parse(main);

        Assert.False(config.Persistence);
        Assert.Equal(1, Conf.Single(config, ConfigSeverity.Warning).Line);
    }

    [Fact]
    public void AnIncludedFileStartsOutsideAnyListenerSectionAndTheMainFileContinuesItsOwn()
    {
        // Mosquitto keeps the current listener per file: here the include's "protocol websockets" configures the
        // default listener, and the main file's max_connections still belongs to listener 1883.
        _dir.Write("conf.d/ws.conf", "protocol websockets");
        var main = _dir.Write("mosquitto.conf", "listener 1883", "include_dir conf.d", "max_connections 5", "allow_anonymous true");

        var config = MosquittoConfigParser.Parse(main);

        Assert.Equal([(1883, ListenerProtocol.Mqtt, 5), (1883, ListenerProtocol.WebSockets, -1)],
            config.Listeners.Select(l => (l.Port, l.Protocol, l.MaxConnections)));
        Assert.Contains(config.Diagnostics, d => d is { Severity: ConfigSeverity.Error, Option: "listener" }); // both on 1883, every address
    }

    [Fact]
    public void RelativePathsResolveAgainstTheDirectoryOfTheFileThatNamesThem()
    {
        _dir.Write("conf.d/auth.conf", "password_file passwd");
        var main = _dir.Write("etc/mosquitto.conf", "include_dir ../conf.d", "acl_file acl", "listener 1883");

        var config = MosquittoConfigParser.Parse(main);

        Assert.Equal($"{_dir.Path}/conf.d/passwd", config.Security.PasswordFile);
        Assert.Equal($"{_dir.Path}/etc/acl", config.Security.AclFile);
    }

    [Fact]
    public void ADirectoryNamedLikeAConfigFileIsAnError()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "conf.d", "sub.conf"));
        var main = _dir.Write("mosquitto.conf", "include_dir conf.d");

        var error = Conf.Single(MosquittoConfigParser.Parse(main), ConfigSeverity.Error);

        Assert.Equal((main, 1), (error.File, error.Line));
        Assert.Contains("is a directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIncludeDirContainingTheMainFileIsAnError()
    {
        var main = _dir.Write("all/main.conf", "include_dir .");

        var error = Conf.Single(MosquittoConfigParser.Parse(main), ConfigSeverity.Error);

        Assert.Contains("main configuration file", error.Message, StringComparison.Ordinal);
    }
}
