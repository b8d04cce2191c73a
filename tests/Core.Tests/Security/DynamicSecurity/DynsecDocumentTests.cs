using System.Text;
using MqttCluster.Core.Security.DynamicSecurity;

namespace MqttCluster.Core.Tests.Security.DynamicSecurity;

public sealed class DynsecDocumentTests
{
    /// <summary>Written by Debian's mosquitto_ctrl 2.0.11 (<c>dynsec init FILE admin</c>, password secretpw).</summary>
    private static string MosquittoInitFile => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Security", "DynamicSecurity", "mosquitto-2.0-init.json"));

    [Fact]
    public void A_file_written_by_mosquitto_ctrl_loads_and_its_password_verifies()
    {
        var state = DynsecDocument.Parse(MosquittoInitFile);

        var admin = Assert.Single(state.Clients.Values);
        Assert.Equal("admin", admin.Username);
        Assert.Equal("Dynsec admin user", admin.TextName);
        Assert.Equal(101, admin.Password!.Iterations);
        Assert.True(admin.Password.Verify(Encoding.UTF8.GetBytes("secretpw")));
        Assert.False(admin.Password.Verify(Encoding.UTF8.GetBytes("secretpx")));
        Assert.Equal(8, state.Roles["admin"].Acls.Count);
        Assert.Equal(DynsecDefaultAccess.Mosquitto, state.DefaultAccess);
    }

    [Fact]
    public void Written_and_read_again_it_is_the_same()
    {
        var state = DynsecDocument.Parse(MosquittoInitFile);
        var payload = """
            {"commands":[
              {"command":"createRole","rolename":"r","acls":[{"acltype":"subscribePattern","topic":"a/#","priority":3,"allow":true}]},
              {"command":"createGroup","groupname":"g","roles":[{"rolename":"r","priority":2}]},
              {"command":"createClient","username":"u","password":"p","clientid":"c","textname":"U","groups":[{"groupname":"g","priority":5}]},
              {"command":"disableClient","username":"u"},
              {"command":"setAnonymousGroup","groupname":"g"}]}
            """u8;
        DynsecCommandProcessor.Execute(state, payload, 0);

        var written = DynsecDocument.Write(state);
        var again = DynsecDocument.Parse(written);

        Assert.Equal(written, DynsecDocument.Write(again));
        var u = again.Clients["u"];
        Assert.True(u.Disabled);
        Assert.Equal("c", u.ClientId);
        Assert.Equal(new DynsecMembership("g", 5), Assert.Single(u.Groups));
        Assert.True(u.Password!.Verify("p"u8));
        Assert.Equal("g", again.AnonymousGroup);
        Assert.Equal(new DynsecAcl("subscribePattern", "a/#", 3, true), Assert.Single(again.Roles["r"].Acls));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Not_a_document_is_a_format_error(string text) =>
        Assert.Throws<FormatException>(() => DynsecDocument.Parse(text));

    [Fact]
    public void References_to_missing_roles_and_groups_are_dropped()
    {
        var state = DynsecDocument.Parse("""
            {"clients":[{"username":"u","roles":[{"rolename":"gone"}]}],
             "groups":[{"groupname":"g","clients":[{"username":"nobody"}]}],
             "anonymousGroup":"missing"}
            """);

        Assert.Empty(state.Clients["u"].Roles);
        Assert.Empty(state.MembersOf("g"));
        Assert.Null(state.AnonymousGroup);
    }
}
