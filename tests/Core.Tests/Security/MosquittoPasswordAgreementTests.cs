using System.Text;
using MqttCluster.Core.Security;
using MqttCluster.Core.Tests.Configuration;

namespace MqttCluster.Core.Tests.Security;

/// <summary>
/// Files go both ways between this code and the installed Mosquitto: what <c>mosquitto_passwd</c> writes verifies
/// here, and what <see cref="PasswordFile.Save"/> writes lets Mosquitto's own broker authenticate the same users.
/// </summary>
public sealed class MosquittoPasswordAgreementTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [FactWhenFileExists(MosquittoTools.Passwd)]
    public async Task AFileWrittenByMosquittoPasswdVerifiesHere()
    {
        var path = Path.Combine(_dir.Path, "passwd");
        await Passwd("-c", "-b", path, "alice", "secret");
        await Passwd("-b", path, "bob", "p@ss:wörd");
        await Passwd("-H", "sha512", "-b", path, "carol", "hunter2");
        await Passwd("-b", path, "empty", "");

        var file = PasswordFile.Load(path);

        Assert.Equal(["alice", "bob", "carol", "empty"], file.Usernames);
        Assert.True(file.Verify("alice", "secret"u8));
        Assert.True(file.Verify("bob", Encoding.UTF8.GetBytes("p@ss:wörd")));
        Assert.True(file.Verify("carol", "hunter2"u8));
        // Mosquitto refuses the empty password (and no password) even for a user whose hash is of "": so do we.
        Assert.False(file.Verify("empty", []));
        Assert.False(file.Verify("alice", "Secret"u8));
        Assert.False(file.Verify("carol", "hunter"u8));
    }

    [FactWhenFileExists(MosquittoTools.Passwd)]
    public async Task MosquittoPasswdEditsAFileWrittenHere()
    {
        var path = Path.Combine(_dir.Path, "passwd");
        var ours = new PasswordFile();
        ours.Upsert("alice", "secret");
        ours.Save(path);

        await Passwd("-b", path, "bob", "pw");

        var file = PasswordFile.Load(path);
        Assert.True(file.Verify("alice", "secret"u8));
        Assert.True(file.Verify("bob", "pw"u8));
    }

    [FactWhenFileExists(MosquittoTools.Broker)]
    public async Task MosquittoAuthenticatesUsersFromAFileWrittenHere()
    {
        var path = Path.Combine(_dir.Path, "passwd");
        var file = PasswordFile.Parse(PasswordFixtures.Dora, path);
        file.Upsert("alice", "secret");
        file.Upsert("carol", "hunter2", PasswordHashKind.Sha512);
        file.Upsert("grüße", "wörd");
        file.Save(path);
        using var broker = await MosquittoBroker.StartAsync(_dir, $"password_file {path}", "allow_anonymous false");

        // mosquitto_pub exits with the CONNACK code; Mosquitto 2.0 refuses a bad password with 5 (not authorised).
        Assert.Equal(0, await Publish(broker, "alice", "secret"));
        Assert.Equal(0, await Publish(broker, "carol", "hunter2"));
        Assert.Equal(0, await Publish(broker, "grüße", "wörd"));
        Assert.Equal(0, await Publish(broker, "dora", "pbkdf2-1000"));
        Assert.Equal(5, await Publish(broker, "alice", "wrong"));
        Assert.Equal(5, await Publish(broker, "nobody", "secret"));
        Assert.DoesNotContain("Error", broker.Log, StringComparison.Ordinal);
    }

    private static async Task Passwd(params string[] arguments)
    {
        var (exitCode, output) = await MosquittoTools.RunAsync(MosquittoTools.Passwd, arguments);
        Assert.True(exitCode == 0, $"mosquitto_passwd {string.Join(' ', arguments)} exited with {exitCode}: {output}");
    }

    private static async Task<int> Publish(MosquittoBroker broker, string username, string password) =>
        (await MosquittoTools.RunAsync(MosquittoTools.Pub,
            "-h", "127.0.0.1", "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-u", username, "-P", password, "-t", "t", "-m", "m")).ExitCode;
}
