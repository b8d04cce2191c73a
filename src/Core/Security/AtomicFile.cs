using System.Text;

namespace MqttCluster.Core.Security;

/// <summary>Replaces a file's contents without a window in which a reader (a broker reloading it) sees half a file.</summary>
internal static class AtomicFile
{
    /// <summary>Owner read and write only: the file holds password hashes (Mosquitto 2.0.16+ warns about looser modes).</summary>
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Writes <paramref name="text"/> to a new file next to <paramref name="path"/>, flushes it to disk and renames
    /// it over <paramref name="path"/>; rename(2) within one directory is atomic.
    /// </summary>
    public static void Write(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(
            Path.GetDirectoryName(fullPath) ?? ".",
            $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with the mode, so the hashes are never readable by others, not even briefly.
            options.UnixCreateMode = OwnerOnly;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
