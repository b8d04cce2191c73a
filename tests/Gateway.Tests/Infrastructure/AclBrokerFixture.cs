using MqttCluster.Core.Security;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>A broker with a password file (user "carol") and an ACL that lets her write only to "allowed/#".</summary>
public sealed class AclBrokerFixture : BrokerFixture
{
    public const string Username = "carol";
    public const string Password = "carol-secret";

    private readonly string _directory = Directory.CreateTempSubdirectory("mqtt-acl-").FullName;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        var passwords = new PasswordFile();
        passwords.Upsert(Username, Password);
        var passwordFile = Path.Combine(_directory, "passwd");
        passwords.Save(passwordFile);
        var aclFile = Path.Combine(_directory, "acl");
        File.WriteAllLines(aclFile, [$"user {Username}", "topic readwrite allowed/#", "topic read readonly/#"]);

        settings["Security:PasswordFile"] = passwordFile;
        settings["Security:AclFile"] = aclFile;
        settings["Security:AllowAnonymous"] = "false";
    }
}
