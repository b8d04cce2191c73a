namespace MqttCluster.Core.Security;

/// <summary>The two hash forms Mosquitto's password file holds (<c>man 1 mosquitto_passwd</c>, option <c>-H</c>).</summary>
public enum PasswordHashKind
{
    /// <summary>
    /// <c>$7$iterations$salt$hash</c>: PBKDF2-HMAC-SHA512, what <c>mosquitto_passwd</c> 2.x writes by default
    /// (<c>-H sha512-pbkdf2</c>).
    /// </summary>
    Pbkdf2Sha512,

    /// <summary>
    /// <c>$6$salt$hash</c>: one SHA-512 over the password followed by the salt, Mosquitto 1.x's only form
    /// (<c>-H sha512</c>). Fast to brute-force; accepted so old files keep working.
    /// </summary>
    Sha512,
}
