namespace MqttCluster.Core.Tests.Security;

/// <summary>
/// Password-file lines made by real tools, so the tests also run where Mosquitto is not installed. Each was checked
/// independently with Python's hashlib (pbkdf2_hmac / sha512) before it was committed.
/// </summary>
internal static class PasswordFixtures
{
    /// <summary><c>mosquitto_passwd -c -b FILE alice secret</c> (Mosquitto 2.0.11, Debian 12).</summary>
    public const string Alice = "alice:$7$101$vXt482E3vJuYBwTz$wwJDyX1ZcB2f3dodfqGh33BnxTEGxXwEdgiby/8wCcGUlR5V77lvUGBpFuKzUKdRjaJBeSRJ0XGWPRQ8JBfDUQ==";

    /// <summary><c>mosquitto_passwd -b FILE bob 'p@ss:wörd'</c>: UTF-8 and a colon in the password.</summary>
    public const string Bob = "bob:$7$101$qZ0sidYbjNgPqeZL$n4Az97tjVQ2Me4kmxQRMX9lfjoLD96Zt60YeWC6C2NvOqeN0hxnqx8zp7EAb032jo9NajrIsP+H1jNCahi5LTQ==";

    /// <summary><c>mosquitto_passwd -H sha512 -b FILE carol hunter2</c>: the Mosquitto 1.x form.</summary>
    public const string Carol = "carol:$6$CQ2nOVzzLp2lDClW$AEA1tPKygKWOzrn/yXEHWDiBc9oF7oL2e3+20wV7yEXt/Rn1Ta3eb6eW/WoSZLlyGsNYSdaObgkpe3zIlio3SA==";

    /// <summary>
    /// A <c>$6$</c> line made without Mosquitto: salt bytes 1..12, password "Grüße 1.x", by
    /// <c>hashlib.sha512(pw.encode() + bytes(range(1, 13)))</c>.
    /// </summary>
    public const string Old = "old:$6$AQIDBAUGBwgJCgsM$A3RhEjgigQhrsvljKC8YhBRpWi3K+42oUM2jidaqfVjqk1MeUm/06bnQQ9MHeTUScqJRF1CJroUuaQGD9BG02Q==";

    /// <summary>
    /// 1000 iterations, which mosquitto_passwd 2.0 cannot write but Mosquitto reads: salt "saltsaltsalt",
    /// password "pbkdf2-1000", by <c>hashlib.pbkdf2_hmac('sha512', pw, salt, 1000, 64)</c>.
    /// </summary>
    public const string Dora = "dora:$7$1000$c2FsdHNhbHRzYWx0$JehewNN6AZleijwyh6Er3vqizOd7Z3StBSphVug5kGOGqwDg1etb33rG7L+se1k6HrcfE9HDcygiktyMQ6UnOQ==";

    public static readonly string File = string.Join('\n', Alice, Bob, Carol, Old, Dora);

    /// <summary>The password of each fixture user.</summary>
    public static TheoryData<string, string> Passwords => new()
    {
        { "alice", "secret" },
        { "bob", "p@ss:wörd" },
        { "carol", "hunter2" },
        { "old", "Grüße 1.x" },
        { "dora", "pbkdf2-1000" },
    };
}
