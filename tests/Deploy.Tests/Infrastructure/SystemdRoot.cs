namespace MqttCluster.Deploy.Tests.Infrastructure;

/// <summary>
/// A directory that <c>systemd-analyze verify --root</c> treats as the machine the units are installed on: the
/// host's own system units (targets such as multi-user.target, network-online.target) plus ours in
/// /etc/systemd/system, and a stub for each program an Exec line runs, since verify checks they are executable.
/// That works without systemd running (containers, CI), where verify against the real / would report our
/// binaries in /opt as missing.
/// </summary>
internal sealed class SystemdRoot : IDisposable
{
    public const string HostUnits = "/usr/lib/systemd/system";

    private readonly TempDirectory _directory;
    private readonly bool _ownsDirectory;

    public SystemdRoot(string purpose)
        : this(new TempDirectory(purpose), ownsDirectory: true)
    {
    }

    private SystemdRoot(TempDirectory directory, bool ownsDirectory)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        foreach (var file in Directory.EnumerateFiles(HostUnits, "*", SearchOption.AllDirectories))
        {
            var target = _directory.Combine(file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            if (File.Exists(target) || new FileInfo(target).LinkTarget is not null)
            {
                continue; // the machine's own unit
            }

            if (new FileInfo(file).LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else
            {
                File.Copy(file, target);
            }
        }
    }

    public string Path => _directory.Path;

    /// <summary>Adds the host's system units to a directory something was installed into; the caller keeps it.</summary>
    public static SystemdRoot Over(TempDirectory machine) => new(machine, ownsDirectory: false);

    public static bool IsAvailable => Directory.Exists(HostUnits) && Tool.Exists("systemd-analyze");

    /// <summary>Copies a unit into /etc/systemd/system and stubs the programs it runs; returns its path.</summary>
    public string Install(string relativePath)
    {
        var unit = SystemdUnit.Load(relativePath);
        foreach (var command in unit.Commands)
        {
            StubProgram(command[0]);
        }

        var path = _directory.Combine($"etc/systemd/system/{unit.Name}");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.Copy(Repository.PathOf(relativePath), path, overwrite: true);
        return path;
    }

    public void StubProgram(string absolutePath)
    {
        if (!File.Exists(_directory.Combine(absolutePath)))
        {
            _directory.Write(absolutePath, "#!/bin/sh\nexit 0\n", executable: true);
        }
    }

    /// <summary>systemd-analyze verify of a unit file inside this root.</summary>
    public ToolResult Verify(string unitPathInRoot) =>
        Tool.Run("systemd-analyze", ["verify", "--man=no", $"--root={Path}", unitPathInRoot]);

    public void Dispose()
    {
        if (_ownsDirectory)
        {
            _directory.Dispose();
        }
    }
}
