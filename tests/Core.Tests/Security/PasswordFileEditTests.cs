using MqttCluster.Core.Security;
using MqttCluster.Core.Tests.Configuration;

namespace MqttCluster.Core.Tests.Security;

public sealed class PasswordFileEditTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UpsertReplacesInPlaceAppendsNewUsersAndKeepsEverythingElse()
    {
        var file = PasswordFile.Parse($"# staff\n{PasswordFixtures.Alice}\n\n{PasswordFixtures.Carol}\n", "passwd");

        file.Upsert("alice", "new");
        file.Upsert("zoe", "zoe-pw", PasswordHashKind.Sha512);

        var lines = file.ToText().Split('\n');
        Assert.Equal("# staff", lines[0]);
        Assert.StartsWith("alice:$7$101$", lines[1], StringComparison.Ordinal);
        Assert.Equal(("", PasswordFixtures.Carol), (lines[2], lines[3]));
        Assert.StartsWith("zoe:$6$", lines[4], StringComparison.Ordinal);
        Assert.True(file.Verify("alice", "new"u8));
        Assert.False(file.Verify("alice", "secret"u8));
        Assert.True(file.Verify("zoe", "zoe-pw"u8));
    }

    [Fact]
    public void RemoveDeletesTheUserAndReportsWhetherItWasThere()
    {
        var file = PasswordFile.Parse(PasswordFixtures.File, "passwd");

        Assert.True(file.Remove("bob"));
        Assert.False(file.Remove("bob"));
        Assert.False(file.Verify("bob", "p@ss:wörd"u8));
        Assert.DoesNotContain("bob:", file.ToText(), StringComparison.Ordinal);
        Assert.Equal(4, file.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("#admin")]
    [InlineData(" alice")]
    [InlineData("alice\t")]
    [InlineData("two\nlines")]
    public void UpsertRefusesUsernamesMosquittoCouldNotReadBack(string username)
    {
        Assert.Throws<ArgumentException>(() => new PasswordFile().Upsert(username, "pw"));
    }

    [Fact]
    public void SaveWritesAFileLoadReadsBackWithOwnerOnlyPermissions()
    {
        var path = Path.Combine(_dir.Path, "passwd");
        File.WriteAllText(path, "old contents");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        }

        var file = new PasswordFile();
        file.Upsert("alice", "secret");
        file.Save(path);

        var loaded = PasswordFile.Load(path);
        Assert.True(loaded.Verify("alice", "secret"u8));
        Assert.Equal(["passwd"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void LoadNamesTheFileInWarnings()
    {
        var path = _dir.Write("passwd", PasswordFixtures.Alice, "broken");

        var file = PasswordFile.Load(path);

        Assert.Equal($"{path}:2: expected 'username:password hash'", Assert.Single(file.Warnings).ToString());
        Assert.Equal(["alice"], file.Usernames);
    }
}
