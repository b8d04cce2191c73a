using System.Text;
using MqttCluster.Core.Security;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// A broker with dynamic security imported from a dynamic-security.json (client "admin" with the role
/// mosquitto_ctrl gives it) beside a password file (user "carol") and an ACL file that lets her write "allowed/#",
/// as Mosquitto lets the plugin and the files coexist; "viewer" is a dynamic-security client without roles.
/// </summary>
public class DynamicSecurityBrokerFixture : BrokerFixture
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "admin-secret";
    public const string FileUser = "carol";
    public const string FileUserPassword = "carol-secret";
    public const string Viewer = "viewer";
    public const string ViewerPassword = "viewer-secret";

    private readonly string _directory = Directory.CreateTempSubdirectory("mqtt-dynsec-").FullName;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        var state = new DynsecState();
        DynsecCommandProcessor.Execute(state, Encoding.UTF8.GetBytes($$"""
            {"commands":[
              {"command":"createRole","rolename":"admin","acls":[
                {"acltype":"publishClientSend","topic":"$CONTROL/dynamic-security/#","allow":true},
                {"acltype":"publishClientReceive","topic":"$CONTROL/dynamic-security/#","allow":true},
                {"acltype":"subscribePattern","topic":"$CONTROL/dynamic-security/#","allow":true},
                {"acltype":"publishClientReceive","topic":"#","allow":true},
                {"acltype":"subscribePattern","topic":"#","allow":true}]},
              {"command":"createClient","username":"{{AdminUser}}","password":"{{AdminPassword}}","roles":[{"rolename":"admin"}]},
              {"command":"createClient","username":"{{Viewer}}","password":"{{ViewerPassword}}"}]}
            """), 0);
        var dynamicSecurityFile = Path.Combine(_directory, "dynamic-security.json");
        File.WriteAllText(dynamicSecurityFile, DynsecDocument.Write(state));

        var passwords = new PasswordFile();
        passwords.Upsert(FileUser, FileUserPassword);
        var passwordFile = Path.Combine(_directory, "passwd");
        passwords.Save(passwordFile);
        var aclFile = Path.Combine(_directory, "acl");
        File.WriteAllLines(aclFile, [$"user {FileUser}", "topic readwrite allowed/#"]);

        settings["Security:DynamicSecurityFile"] = dynamicSecurityFile;
        settings["Security:PasswordFile"] = passwordFile;
        settings["Security:AclFile"] = aclFile;
        settings["Security:AllowAnonymous"] = "false";
        settings["Security:FailedLoginDelay"] = "00:00:00";
    }
}
