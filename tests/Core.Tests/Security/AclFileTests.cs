using MqttCluster.Core.Security;

namespace MqttCluster.Core.Tests.Security;

public class AclFileTests
{
    private const string Source = "/etc/mosquitto/acl";

    private static AclFile Parse(params string[] lines) => AclFile.Parse(string.Join('\n', lines), Source);

    [Fact]
    public void TopicLinesGoToTheAnonymousSectionOrTheCurrentUserAndPatternsToEveryone()
    {
        var acl = Parse(
            "# anonymous clients",
            "topic read public/#",
            "pattern write devices/%c/state",
            "",
            "user alice",
            "topic alice/#",
            "pattern read users/%u/#",
            "user bob smith",
            "topic deny public/secret",
            "user alice",
            "topic write shared/in");

        Assert.Equal([new AclRule(AclRuleKind.Topic, AclAccess.Read, "public/#", 2)], acl.AnonymousRules);
        Assert.Equal(
            [new AclRule(AclRuleKind.Topic, AclAccess.ReadWrite, "alice/#", 6), new AclRule(AclRuleKind.Topic, AclAccess.Write, "shared/in", 11)],
            acl.UserRules["alice"]);
        Assert.Equal([new AclRule(AclRuleKind.Topic, AclAccess.Deny, "public/secret", 9)], acl.UserRules["bob smith"]);
        Assert.Equal(["devices/%c/state", "users/%u/#"], acl.Patterns.Select(p => p.Filter));
        Assert.Empty(acl.Warnings);
    }

    [Fact]
    public void TheFilterIsTheRestOfTheLineSoItMayContainSpaces()
    {
        var acl = Parse("topic read  living room/+/temperature  ", "topic   readwrite    a b", "topic writer");

        Assert.Equal(["living room/+/temperature", "a b", "writer"], acl.AnonymousRules.Select(r => r.Filter));
        Assert.Equal([AclAccess.Read, AclAccess.ReadWrite, AclAccess.ReadWrite], acl.AnonymousRules.Select(r => r.Access));
    }

    [Fact]
    public void AUserWithoutTopicLinesHasAnEmptySection()
    {
        var acl = Parse("user carol", "pattern read %u/#");

        Assert.Empty(acl.UserRules["carol"]);
        Assert.Empty(acl.TopicRulesFor("carol"));
        Assert.Empty(acl.TopicRulesFor("nobody"));
        Assert.Empty(acl.TopicRulesFor(null));
    }

    [Fact]
    public void AnEmptyFileHasNoRules()
    {
        var acl = Parse("# nothing yet", "");

        Assert.Empty(acl.AnonymousRules);
        Assert.Empty(acl.UserRules);
        Assert.Empty(acl.Patterns);
    }

    /// <summary>Line text and the error expected for it; Mosquitto 2.0.11 refuses to start on each of these too.</summary>
    public static TheoryData<string, string> BadLines => new()
    {
        { "topics read a", "unknown keyword 'topics'" },
        { "Topic read a", "did you mean 'topic'?" },
        { "user", "missing username after 'user'" },
        { "user   ", "missing username after 'user'" },
        { "topic", "missing topic filter" },
        { "pattern read", "missing topic filter after 'read'" }, // Mosquitto: read-write access to a topic named "read"
        { "topic deny", "missing topic filter after 'deny'" },
        { "topic reed a/b", "unknown access 'reed'" },
        { "topic read a/#/b", "invalid topic filter 'a/#/b'" },
        { "pattern read a/%c+", "invalid topic filter 'a/%c+'" },
        { "read a/b", "unknown keyword 'read'" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void ABadLineIsAnErrorNamingItsLine(string line, string message)
    {
        var e = Assert.Throws<SecurityFileException>(() => Parse("topic read a", "", line, "user x"));

        var error = Assert.Single(e.Errors);
        Assert.Equal((Source, 3), (error.File, error.Line));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryBadLineIsReported()
    {
        var e = Assert.Throws<SecurityFileException>(() => Parse("topic reed a", "topic read a", "user", "bogus"));

        Assert.Equal([1, 3, 4], e.Errors.Select(d => d.Line));
        Assert.Contains($"{Source}:4: unknown keyword 'bogus'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pattern read public/#", "pattern without %c or %u")]
    [InlineData("topic read devices/%c/#", "'topic' lines do not replace %c and %u")]
    [InlineData("  # indented comment", "only reads '#' in the first column")]
    [InlineData("topic\tread a", "spaces only")]
    [InlineData("topic read\ta", "spaces only")]
    [InlineData("\tuser x", "spaces only")]
    public void LinesMosquittoTreatsDifferentlyAreReadWithAWarning(string line, string warning)
    {
        var acl = Parse("# acl", line);

        var found = Assert.Single(acl.Warnings);
        Assert.Equal(2, found.Line);
        Assert.Contains(warning, found.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CrLfLineEndsAndTrailingBlanksAreIgnored()
    {
        var acl = Parse("topic read a/b \r", "user alice\t\r", "topic c\r");

        Assert.Equal("a/b", Assert.Single(acl.AnonymousRules).Filter);
        Assert.Equal("c", Assert.Single(acl.UserRules["alice"]).Filter);
        Assert.Empty(acl.Warnings);
    }
}
