namespace MqttCluster.Core.CommandLine;

/// <summary>
/// What every executable's exit code means, so service managers can tell a failure worth a restart from one that a
/// restart cannot fix (systemd's RestartPreventExitStatus=2).
/// </summary>
public static class ExitCodes
{
    /// <summary>Stopped normally (SIGTERM, Ctrl-C), or did what was asked (--help, --version, db init).</summary>
    public const int Success = 0;

    /// <summary>Failed while running: a port in use, the database unreachable, a file that cannot be written.</summary>
    public const int Failure = 1;

    /// <summary>Invalid configuration or usage: a setting, switch or configuration file line that cannot work.</summary>
    public const int InvalidUsage = 2;

    /// <summary>The paragraph each executable's --help ends with (a blank line before and a line break after it).</summary>
    public const string HelpText =
        "\nExit codes: 0 = stopped normally or done, 1 = failed while running (e.g. a port in use, the database\n" +
        "unreachable), 2 = invalid configuration or usage (the message names the setting, switch or line).\n";
}
