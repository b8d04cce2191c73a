namespace MqttCluster.Core.Security;

/// <summary>Where <see cref="PasswdCommand"/> gets a password when it is not on the command line.</summary>
public interface IPasswordPrompt
{
    /// <summary>True for a terminal: the password is typed twice to catch typos.</summary>
    bool IsInteractive { get; }

    /// <summary>Shows <paramref name="prompt"/> (on a terminal) and reads one password without echo; null at end of input.</summary>
    string? Read(string prompt);
}
