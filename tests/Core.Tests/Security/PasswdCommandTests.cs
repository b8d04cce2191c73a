using MqttCluster.Core.Security;
using MqttCluster.Core.Tests.Configuration;

namespace MqttCluster.Core.Tests.Security;

/// <summary>The command behind <c>mqtt-cluster-passwd</c>, with <c>mosquitto_passwd</c>'s switches.</summary>
public sealed class PasswdCommandTests : IDisposable
{
    private const string Version = "mqtt-cluster-passwd 0.1.0+test";

    private readonly TempDirectory _dir = new();
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();

    private string FilePath => Path.Combine(_dir.Path, "passwd");

    public void Dispose()
    {
        _dir.Dispose();
        _output.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void CreateAskingTwiceOnATerminal()
    {
        var prompt = new ScriptedPrompt(interactive: true, "secret", "secret");

        Assert.Equal(0, Run(prompt, "-c", FilePath, "alice"));

        Assert.Equal(["Password: ", "Reenter password: "], prompt.Prompts);
        Assert.True(PasswordFile.Load(FilePath).Verify("alice", "secret"u8));
    }

    [Fact]
    public void AMistypedSecondPasswordChangesNothing()
    {
        Assert.Equal(1, Run(new ScriptedPrompt(interactive: true, "secret", "secrte"), "-c", FilePath, "alice"));

        Assert.Contains("Passwords do not match", _error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(FilePath));
    }

    [Fact]
    public void FromAPipeOneLineIsEnoughAndASecondMustMatch()
    {
        Assert.Equal(0, Run(new ScriptedPrompt(interactive: false, "piped"), "-c", FilePath, "alice"));
        Assert.Equal(0, Run(new ScriptedPrompt(interactive: false, "again", "again"), FilePath, "bob"));
        Assert.Equal(1, Run(new ScriptedPrompt(interactive: false, "one", "two"), FilePath, "carol"));
        Assert.Equal(1, Run(new ScriptedPrompt(interactive: false), FilePath, "dave"));

        var file = PasswordFile.Load(FilePath);
        Assert.Equal(["alice", "bob"], file.Usernames);
        Assert.True(file.Verify("alice", "piped"u8));
        Assert.True(file.Verify("bob", "again"u8));
    }

    [Fact]
    public void BatchAddsAndUpdatesAndDeleteRemoves()
    {
        Assert.Equal(0, Run("-c", "-b", FilePath, "alice", "one"));
        Assert.Equal(0, Run("-b", FilePath, "bob", "two"));
        Assert.Equal(0, Run("-b", FilePath, "alice", "three"));
        Assert.Equal(0, Run("-H", "sha512", "-b", FilePath, "carol", "four"));
        Assert.Equal(0, Run("-D", FilePath, "bob"));

        var file = PasswordFile.Load(FilePath);
        Assert.Equal(["alice", "carol"], file.Usernames);
        Assert.True(file.Verify("alice", "three"u8));
        Assert.Contains("carol:$6$", File.ReadAllText(FilePath), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateOverwritesAnExistingFile()
    {
        Assert.Equal(0, Run("-c", "-b", FilePath, "alice", "one"));
        Assert.Equal(0, Run("-c", "-b", FilePath, "bob", "two"));

        Assert.Equal(["bob"], PasswordFile.Load(FilePath).Usernames);
    }

    [Fact]
    public void UpgradeHashesAPlainTextFileInPlace()
    {
        File.WriteAllText(FilePath, "# plain\nalice:one\nbob:two\n");

        Assert.Equal(0, Run("-U", FilePath));

        var file = PasswordFile.Load(FilePath);
        Assert.True(file.Verify("alice", "one"u8));
        Assert.True(file.Verify("bob", "two"u8));
        Assert.Equal(1, Run("-U", FilePath)); // already hashed: refused, not hashed again
        Assert.Contains("already hashed", _error.ToString(), StringComparison.Ordinal);
        Assert.True(PasswordFile.Load(FilePath).Verify("alice", "one"u8));
    }

    [Fact]
    public void ErrorsExitWithOneAndMalformedLinesAreKept()
    {
        Assert.Equal(1, Run("-b", FilePath, "alice", "x")); // no file and no -c
        Assert.False(File.Exists(FilePath));

        // A malformed line is reported and kept as it is, as the broker skips it; the edit goes ahead.
        File.WriteAllText(FilePath, "alice:not-a-hash\n");
        Assert.Equal(0, Run("-b", FilePath, "bob", "x"));
        Assert.Contains($"Warning: {FilePath}:1: the password is not hashed", _error.ToString(), StringComparison.Ordinal);
        Assert.StartsWith("alice:not-a-hash\nbob:$7$", File.ReadAllText(FilePath), StringComparison.Ordinal);

        Assert.Equal(0, Run("-c", "-b", FilePath, "alice", "x"));
        Assert.Equal(2, Run("-b", FilePath, "a:b", "x")); // invalid usage: no file could ever take this user
        Assert.Equal(1, Run("-D", FilePath, "nobody"));
        Assert.Contains("User nobody not found", _error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["alice"], PasswordFile.Load(FilePath).Usernames);
    }

    [Theory]
    [InlineData]
    [InlineData("-x", "file", "user")]
    [InlineData("-c", "-D", "file", "user")]
    [InlineData("-b", "file", "user")]
    [InlineData("-U", "file", "user")]
    [InlineData("-U", "-b", "file")]
    [InlineData("-H", "md5", "file", "user")]
    [InlineData("file")]
    public void BadArgumentsShowUsageOrAnErrorAndExitWithTwo(params string[] args)
    {
        Assert.Equal(2, Run(args));

        Assert.Matches("Usage:|Error:", _output.ToString() + _error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void HelpShowsUsageWithTheExitCodesAndExitsWithZero(string option)
    {
        Assert.Equal(0, Run(option));

        Assert.Contains("Usage:", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--version", _output.ToString(), StringComparison.Ordinal);
        Assert.Contains("Exit codes:", _output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void VersionPrintsWhatTheExecutableIsAndExitsWithZero()
    {
        Assert.Equal(0, Run("--version"));

        Assert.Equal($"{Version}{Environment.NewLine}", _output.ToString());
    }

    private int Run(params string[] args) => Run(new ScriptedPrompt(interactive: false), args);

    private int Run(ScriptedPrompt prompt, params string[] args) => new PasswdCommand(_output, _error, prompt, Version).Run(args);

    private sealed class ScriptedPrompt(bool interactive, params string[] answers) : IPasswordPrompt
    {
        private readonly Queue<string> _answers = new(answers);

        public List<string> Prompts { get; } = [];

        public bool IsInteractive => interactive;

        public string? Read(string prompt)
        {
            Prompts.Add(prompt);
            return _answers.TryDequeue(out var answer) ? answer : null;
        }
    }
}
