using System.Globalization;
using System.Security.Cryptography;

namespace MqttCluster.Core.Security;

/// <summary>
/// One hashed password as Mosquitto stores it after <c>username:</c>. The encoding was read off files written by
/// <c>mosquitto_passwd</c> 2.0.11 and checked with Python's <c>hashlib</c>: <c>$7$101$&lt;salt&gt;$&lt;hash&gt;</c>
/// with standard, padded base64 of a 12-byte salt and of the 64-byte PBKDF2-HMAC-SHA512 output, the salt used as
/// its raw bytes (not its base64 text); <c>$6$&lt;salt&gt;$&lt;hash&gt;</c> is SHA-512(password ‖ salt).
/// </summary>
internal sealed class PasswordHash
{
    /// <summary><c>mosquitto_passwd</c> writes 12-byte salts, and Mosquitto 2 drops entries with any other length.</summary>
    public const int SaltBytes = 12;

    /// <summary>SHA-512's output; Mosquitto 2 drops entries whose hash decodes to another length.</summary>
    public const int HashBytes = 64;

    /// <summary>The iteration count <c>mosquitto_passwd</c> 2.0 writes (it has no option to change it).</summary>
    public const int DefaultIterations = 101;

    private readonly byte[] _salt;
    private readonly byte[] _hash;

    private PasswordHash(PasswordHashKind kind, int iterations, byte[] salt, byte[] hash)
    {
        Kind = kind;
        Iterations = iterations;
        _salt = salt;
        _hash = hash;
    }

    public PasswordHashKind Kind { get; }

    /// <summary>PBKDF2 rounds; 1 for <see cref="PasswordHashKind.Sha512"/>.</summary>
    public int Iterations { get; }

    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    public static PasswordHash Create(PasswordHashKind kind, ReadOnlySpan<byte> password, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = new byte[HashBytes];
        Compute(kind, password, salt, iterations, hash);
        return new PasswordHash(kind, kind == PasswordHashKind.Sha512 ? 1 : iterations, salt, hash);
    }

    /// <summary>
    /// A hash no password is known for: verifying an unknown user against it costs what verifying a known one
    /// costs, so response time does not tell an attacker which usernames exist.
    /// </summary>
    public static PasswordHash Decoy(PasswordHashKind kind, int iterations) =>
        new(kind, iterations, RandomNumberGenerator.GetBytes(SaltBytes), RandomNumberGenerator.GetBytes(HashBytes));

    /// <summary>Reads the text after <c>username:</c>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out PasswordHash? hash, out string error)
    {
        hash = null;
        var parts = text.Split('$');
        if (parts.Length < 2 || parts[0].Length != 0)
        {
            error = "the password is not hashed (expected '$7$...' or '$6$...'); hash a plain-text file with "
                + "'mqtt-cluster-passwd -U FILE' or 'mosquitto_passwd -U FILE'";
            return false;
        }

        var iterations = 1;
        PasswordHashKind kind;
        switch (parts[1])
        {
            case "7" when parts.Length == 5:
                kind = PasswordHashKind.Pbkdf2Sha512;
                if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out iterations) || iterations < 1)
                {
                    error = $"iteration count '{parts[2]}' is not a whole number of at least 1";
                    return false;
                }

                break;
            case "6" when parts.Length == 4:
                kind = PasswordHashKind.Sha512;
                break;
            case "7" or "6":
                error = parts[1] == "7"
                    ? "expected '$7$<iterations>$<base64 salt>$<base64 hash>'"
                    : "expected '$6$<base64 salt>$<base64 hash>'";
                return false;
            default:
                error = $"unknown hash type '${parts[1]}$' (Mosquitto knows '$7$' and '$6$')";
                return false;
        }

        var salt = new byte[SaltBytes];
        var digest = new byte[HashBytes];
        if (!TryDecodeExactly(parts[^2], salt))
        {
            error = $"the salt is not base64 of {SaltBytes} bytes";
            return false;
        }

        if (!TryDecodeExactly(parts[^1], digest))
        {
            error = $"the hash is not base64 of {HashBytes} bytes";
            return false;
        }

        hash = new PasswordHash(kind, iterations, salt, digest);
        error = "";
        return true;
    }

    /// <summary>Hashes <paramref name="password"/> with this entry's salt and compares in constant time.</summary>
    public bool Matches(ReadOnlySpan<byte> password)
    {
        Span<byte> candidate = stackalloc byte[HashBytes];
        Compute(Kind, password, _salt, Iterations, candidate);
        return CryptographicOperations.FixedTimeEquals(candidate, _hash);
    }

    /// <summary>The text Mosquitto reads after <c>username:</c>.</summary>
    public override string ToString() => Kind == PasswordHashKind.Sha512
        ? $"$6${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}"
        : $"$7${Iterations.ToString(CultureInfo.InvariantCulture)}${Convert.ToBase64String(_salt)}${Convert.ToBase64String(_hash)}";

    private static void Compute(PasswordHashKind kind, ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, int iterations, Span<byte> destination)
    {
        if (kind == PasswordHashKind.Pbkdf2Sha512)
        {
            Rfc2898DeriveBytes.Pbkdf2(password, salt, destination, iterations, HashAlgorithmName.SHA512);
            return;
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        sha.AppendData(password);
        sha.AppendData(salt);
        _ = sha.GetHashAndReset(destination);
    }

    private static bool TryDecodeExactly(string base64, byte[] destination)
    {
        // Room for a longer value, so that one decodes and fails the length check rather than the decoding.
        var buffer = new byte[destination.Length + 3];
        if (!Convert.TryFromBase64String(base64, buffer, out var written) || written != destination.Length)
        {
            return false;
        }

        buffer.AsSpan(0, written).CopyTo(destination);
        return true;
    }
}
