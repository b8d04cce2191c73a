using System.Diagnostics;
using System.Text;
using MqttCluster.Core.Security;

namespace MqttCluster.Core.Tests.Security;

public class PasswordFileTests
{
    private const string Source = "/etc/mosquitto/passwd";

    private static readonly PasswordFile Fixtures = PasswordFile.Parse(PasswordFixtures.File, Source);

    [Theory]
    [MemberData(nameof(PasswordFixtures.Passwords), MemberType = typeof(PasswordFixtures))]
    public void VerifiesEveryFixtureUserWithItsPassword(string username, string password)
    {
        Assert.True(Fixtures.Verify(username, Encoding.UTF8.GetBytes(password)));
    }

    [Theory]
    [MemberData(nameof(PasswordFixtures.Passwords), MemberType = typeof(PasswordFixtures))]
    public void RefusesAWrongPassword(string username, string password)
    {
        Assert.False(Fixtures.Verify(username, Encoding.UTF8.GetBytes(password + "x")));
        Assert.False(Fixtures.Verify(username, Encoding.UTF8.GetBytes(password.ToUpperInvariant())));
        Assert.False(Fixtures.Verify(username, []));
    }

    [Fact]
    public void UsernamesAreExactAndUnknownUsersAreRefused()
    {
        Assert.False(Fixtures.Verify("nobody", "secret"u8));
        Assert.False(Fixtures.Verify("Alice", "secret"u8));
        Assert.False(Fixtures.Verify("alice ", "secret"u8));
        Assert.Equal(["alice", "bob", "carol", "old", "dora"], Fixtures.Usernames);
    }

    [Fact]
    public void BytesAfterANulCount()
    {
        // Mosquitto hashes the password as a C string, so it would accept "secret\0anything" for alice.
        Assert.False(Fixtures.Verify("alice", "secret\0anything"u8));
    }

    /// <summary>
    /// An unknown user costs a full hash, so timing does not reveal which usernames exist. 20 000 iterations make one
    /// check take milliseconds; without the decoy the unknown user would take microseconds.
    /// </summary>
    [Fact]
    public void AnUnknownUserCostsAboutAsMuchAsAKnownOne()
    {
        var file = PasswordFile.Parse($"slow:{PasswordFile.Hash("pw", iterations: 20_000)}", Source);
        static TimeSpan Fastest(Action check)
        {
            var fastest = TimeSpan.MaxValue;
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                check();
                fastest = TimeSpan.FromTicks(Math.Min(fastest.Ticks, watch.Elapsed.Ticks));
            }

            return fastest;
        }

        var known = Fastest(() => file.Verify("slow", "wrong"u8));
        var unknown = Fastest(() => file.Verify("nobody", "wrong"u8));

        Assert.True(unknown > known / 3, $"unknown user took {unknown.TotalMilliseconds} ms, a known one {known.TotalMilliseconds} ms");
    }

    [Fact]
    public void HashWritesMosquittoPasswdsFormat()
    {
        var hash = PasswordFile.Hash("secret");

        // $7$101$<16 base64 chars: 12-byte salt>$<88 base64 chars: 64-byte hash>, as mosquitto_passwd writes.
        Assert.Matches(@"^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$", hash);
        Assert.NotEqual(hash, PasswordFile.Hash("secret"));
        var file = PasswordFile.Parse($"u:{hash}\nv:{PasswordFile.Hash("other", iterations: 7)}\nw:{PasswordFile.HashSha512("old")}", Source);
        Assert.True(file.Verify("u", "secret"u8));
        Assert.True(file.Verify("v", "other"u8));
        Assert.True(file.Verify("w", "old"u8));
        Assert.StartsWith("$7$7$", PasswordFile.Hash("x", iterations: 7), StringComparison.Ordinal);
        Assert.Matches(@"^\$6\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$", PasswordFile.HashSha512("old"));
    }

    [Fact]
    public void CommentsBlankLinesCrLfAndBlanksAroundFieldsAreReadAsMosquittoReadsThem()
    {
        var file = PasswordFile.Parse($"# users\r\n\r\n   \r\n {PasswordFixtures.Alice.Replace(":", " :\t", StringComparison.Ordinal)} \r\n#{PasswordFixtures.Bob}\r\n", Source);

        Assert.Equal(["alice"], file.Usernames);
        Assert.True(file.Verify("alice", "secret"u8));
    }

    public static TheoryData<string, string> MalformedLines => new()
    {
        { "alice", "expected 'username:password hash'" },
        { ":$7$101$vXt482E3vJuYBwTz$" + Tail, "the username is empty" },
        { "alice:secret", "the password is not hashed" },
        { "alice:", "the password is not hashed" },
        { "alice:$5$vXt482E3vJuYBwTz$" + Tail, "unknown hash type '$5$'" },
        { "alice:$7$0$vXt482E3vJuYBwTz$" + Tail, "iteration count '0'" },
        { "alice:$7$-5$vXt482E3vJuYBwTz$" + Tail, "iteration count '-5'" },
        { "alice:$7$many$vXt482E3vJuYBwTz$" + Tail, "iteration count 'many'" },
        { "alice:$7$101$vXt482E3vJuYBwTz", "expected '$7$<iterations>$<base64 salt>$<base64 hash>'" },
        { "alice:$7$vXt482E3vJuYBwTz$" + Tail, "expected '$7$<iterations>" },
        { "alice:$6$101$vXt482E3vJuYBwTz$" + Tail, "expected '$6$<base64 salt>$<base64 hash>'" },
        { "alice:$7$101$vXt482E3vJuY$" + Tail, "the salt is not base64 of 12 bytes" },
        { "alice:$7$101$vXt482E3vJuYBwTzvXt4$" + Tail, "the salt is not base64 of 12 bytes" },
        { "alice:$7$101$vXt4*2E3vJuYBwTz$" + Tail, "the salt is not base64 of 12 bytes" },
        { "alice:$7$101$vXt482E3vJuYBwTz$" + Tail[4..], "the hash is not base64 of 64 bytes" },
        { "alice:$7$101$vXt482E3vJuYBwTz$" + Tail + ":x", "unexpected ':' after the password hash" },
        { "alice:$$7$$101$vXt482E3vJuYBwTz$" + Tail, "unknown hash type '$$'" }, // Mosquitto's strtok would skip the empty fields
    };

    private static string Tail => PasswordFixtures.Alice[(PasswordFixtures.Alice.LastIndexOf('$') + 1)..];

    [Theory]
    [MemberData(nameof(MalformedLines))]
    public void AMalformedLineIsSkippedWithAWarningNamingItsLine(string line, string message)
    {
        // As Mosquitto does: the line is skipped with a warning, the other users still log in.
        var file = PasswordFile.Parse($"# users\n{PasswordFixtures.Carol}\n{line}\n", Source);

        var warning = Assert.Single(file.Warnings);
        Assert.Equal((Source, 3), (warning.File, warning.Line));
        Assert.Contains(message, warning.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:3: ", warning.ToString(), StringComparison.Ordinal);
        Assert.Equal(["carol"], file.Usernames);
        Assert.True(file.Verify("carol", "hunter2"u8));
    }

    [Fact]
    public void EverySkippedLineIsReportedIncludingDuplicateUsersAndKeptInTheText()
    {
        var text = string.Join('\n', PasswordFixtures.Alice, "bob", PasswordFixtures.Carol, PasswordFixtures.Alice);
        var file = PasswordFile.Parse(text, Source);

        Assert.Equal([2, 4], file.Warnings.Select(d => d.Line));
        Assert.Equal("user 'alice' is already defined on line 1", file.Warnings[1].Message);
        Assert.Equal(["alice", "carol"], file.Usernames);
        Assert.Equal(text + "\n", file.ToText());
    }

    [Theory]
    [InlineData("bad:")]
    [InlineData("bad:$6$")]
    public void The_lines_Mosquitto_skips_do_not_stop_the_file_from_loading(string line)
    {
        var file = PasswordFile.Parse($"{line}\n{PasswordFixtures.Carol}\n", Source);

        Assert.Equal(1, Assert.Single(file.Warnings).Line);
        Assert.False(file.Contains("bad"));
        Assert.True(file.Verify("carol", "hunter2"u8));
    }

    [Fact]
    public void An_empty_password_never_logs_in_even_against_a_hash_of_the_empty_password()
    {
        var file = new PasswordFile();
        file.Upsert("empty", string.Empty);

        Assert.False(file.Verify("empty", []));
        Assert.False(file.Verify("empty", "x"u8));
    }

    [Fact]
    public void ConvertPlainTextHashesEachPasswordAndKeepsComments()
    {
        var file = PasswordFile.ConvertPlainText("# plain\ndave:plain\neve : Grüße \n", Source);

        Assert.True(file.Verify("dave", "plain"u8));
        Assert.True(file.Verify("eve", Encoding.UTF8.GetBytes("Grüße")));
        var lines = file.ToText().Split('\n');
        Assert.Equal("# plain", lines[0]);
        Assert.StartsWith("dave:$7$101$", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("eve:$7$101$", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("dave:x:y", "the password contains ':'")]
    [InlineData("dave:", "the password is empty")]
    [InlineData(PasswordFixtures.Alice, "the password is already hashed")]
    public void ConvertPlainTextRefusesLinesItCannotConvertFaithfully(string line, string message)
    {
        var e = Assert.Throws<SecurityFileException>(() => PasswordFile.ConvertPlainText(line, Source));

        Assert.Contains(message, Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }
}
