using System.Text;
using MqttCluster.Core.CommandLine;

namespace MqttCluster.Core.Security;

/// <summary>
/// The password-file command, with <c>mosquitto_passwd</c>'s switches (<c>man 1 mosquitto_passwd</c>):
/// <c>[-H hash] [-c | -D] FILE USER</c>, <c>[-H hash] [-c] -b FILE USER PASSWORD</c>, <c>-U FILE</c>. Exit codes as
/// every executable of the broker (<see cref="ExitCodes"/>): 0 done, 1 failed (a file that cannot be read or
/// written, a user not found, passwords that differ), 2 invalid usage (<c>mosquitto_passwd</c> exits 1 for
/// everything). A file that does not parse is never overwritten.
/// </summary>
/// <param name="version">What <c>--version</c> prints (the executable's name and version).</param>
public sealed class PasswdCommand(TextWriter output, TextWriter error, IPasswordPrompt prompt, string version)
{
    private const string Usage = """
        mqtt-cluster-passwd manages password files in Mosquitto's format (mosquitto_passwd's switches).

        Usage: mqtt-cluster-passwd [-H sha512 | -H sha512-pbkdf2] [-c | -D] passwordfile username
               mqtt-cluster-passwd [-H sha512 | -H sha512-pbkdf2] [-c] -b passwordfile username password
               mqtt-cluster-passwd -U passwordfile
               mqtt-cluster-passwd --help | --version
         -b : run in batch mode to allow passing passwords on the command line.
         -c : create a new password file. This will overwrite existing files.
         -D : delete the username rather than adding/updating its password.
         -H : specify the hashing algorithm. Defaults to sha512-pbkdf2, which is recommended.
              sha512 is only for Mosquitto 1.6 and earlier.
         -U : update a plain text password file to use hashed passwords.
        Without -b the password is read twice from a terminal, or one line from standard input.
        """ + ExitCodes.HelpText;

    private const int MaxPasswordBytes = 65535;

    public int Run(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return Execute(args);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"Error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (SecurityFileException e)
        {
            foreach (var problem in e.Errors)
            {
                error.WriteLine($"Error: {problem}");
            }

            return ExitCodes.Failure;
        }
    }

    private int Execute(IReadOnlyList<string> args)
    {
        bool batch = false, create = false, delete = false, upgrade = false;
        var kind = PasswordHashKind.Pbkdf2Sha512;
        var next = 0;
        for (; next < args.Count && args[next].Length > 1 && args[next][0] == '-'; next++)
        {
            switch (args[next])
            {
                case "-b": batch = true; break;
                case "-c": create = true; break;
                case "-D": delete = true; break;
                case "-U": upgrade = true; break;
                case "-H" when next + 1 < args.Count && args[next + 1] is "sha512-pbkdf2" or "sha512":
                    kind = args[++next] == "sha512" ? PasswordHashKind.Sha512 : PasswordHashKind.Pbkdf2Sha512;
                    break;
                case "-H":
                    return Fail("-H takes sha512-pbkdf2 or sha512.", ExitCodes.InvalidUsage);
                case "-h" or "--help":
                    output.Write(Usage);
                    return ExitCodes.Success;
                case ProgramVersion.Switch:
                    output.WriteLine(version);
                    return ExitCodes.Success;
                default:
                    return ShowUsage();
            }
        }

        var positional = args.Skip(next).ToArray();
        var expected = upgrade ? 1 : batch ? 3 : 2;
        if (positional.Length != expected || (upgrade && (batch || create || delete)) || (delete && (batch || create)))
        {
            return ShowUsage();
        }

        var path = positional[0];
        if (upgrade)
        {
            PasswordFile.ConvertPlainText(File.ReadAllText(path, Encoding.UTF8), path).Save(path);
            return ExitCodes.Success;
        }

        var username = positional[1];
        if (PasswordFileReader.CheckUsername(username) is { } problem)
        {
            return Fail($"Invalid username: {problem}.", ExitCodes.InvalidUsage);
        }

        if (!create && !File.Exists(path))
        {
            return Fail($"Unable to open password file {path}: it does not exist (-c creates it).");
        }

        var file = create ? new PasswordFile() : PasswordFile.Load(path);
        foreach (var skipped in file.Warnings)
        {
            error.WriteLine($"Warning: {skipped} (the line is kept as it is; the broker skips it)");
        }

        if (delete)
        {
            if (!file.Remove(username))
            {
                error.WriteLine($"Warning: User {username} not found in password file.");
                return ExitCodes.Failure;
            }

            file.Save(path);
            return ExitCodes.Success;
        }

        var password = batch ? positional[2] : ReadNewPassword();
        if (password is null)
        {
            return ExitCodes.Failure;
        }

        if (Encoding.UTF8.GetByteCount(password) > MaxPasswordBytes)
        {
            return Fail($"Password too long: MQTT passwords are at most {MaxPasswordBytes} bytes.", ExitCodes.InvalidUsage);
        }

        file.Upsert(username, password, kind);
        file.Save(path);
        return ExitCodes.Success;
    }

    /// <summary>Twice on a terminal; from a pipe one line, compared with a second line only if there is one.</summary>
    private string? ReadNewPassword()
    {
        var first = prompt.Read("Password: ");
        if (first is null)
        {
            Fail("No password given.");
            return null;
        }

        var second = prompt.Read("Reenter password: ");
        if ((second is null && prompt.IsInteractive) || (second is not null && second != first))
        {
            Fail("Passwords do not match.");
            return null;
        }

        return first;
    }

    private int ShowUsage()
    {
        output.Write(Usage);
        return ExitCodes.InvalidUsage;
    }

    private int Fail(string message, int exitCode = ExitCodes.Failure)
    {
        error.WriteLine($"Error: {message}");
        return exitCode;
    }
}
