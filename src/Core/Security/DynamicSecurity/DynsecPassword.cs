using System.Security.Cryptography;
using System.Text;

namespace MqttCluster.Core.Security.DynamicSecurity;

/// <summary>
/// A client's password as the plugin keeps it: PBKDF2 with HMAC-SHA512 over the UTF-8 password and a random salt,
/// a 64-byte hash, both base64 in the file. Mosquitto 2.0 writes 12-byte salts and 101 iterations; any count read
/// from a file is honoured.
/// </summary>
public sealed record DynsecPassword(byte[] Hash, byte[] Salt, int Iterations)
{
    public const int MosquittoIterations = 101;
    private const int SaltBytes = 12;
    private const int HashBytes = 64;

    public static DynsecPassword Create(string password, int iterations = MosquittoIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new DynsecPassword(Derive(Encoding.UTF8.GetBytes(password), salt, iterations, HashBytes), salt, iterations);
    }

    public bool Verify(ReadOnlySpan<byte> password) =>
        Iterations > 0 && CryptographicOperations.FixedTimeEquals(Derive(password, Salt, Iterations, Hash.Length), Hash);

    private static byte[] Derive(ReadOnlySpan<byte> password, byte[] salt, int iterations, int length) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA512, length);
}
