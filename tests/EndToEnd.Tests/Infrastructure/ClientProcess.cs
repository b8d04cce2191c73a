using System.Diagnostics;

namespace MqttCluster.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A client program (mosquitto_sub, mosquitto_pub, node) run the way a user runs it, with stdout and stderr
/// collected line by line. Every wait has a deadline; a process still running at dispose is killed.
/// </summary>
public sealed class ClientProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ClientProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    public OutputLog Output { get; } = new();

    public OutputLog Errors { get; } = new();

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    public static ClientProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(fileName).Select(Quote));
        var process = new Process { StartInfo = start };
        var client = new ClientProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => Collect(client.Output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(client.Errors, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {commandLine}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return client;
    }

    /// <summary>Writes to the process's stdin and closes it (mosquitto_pub -l reads lines until EOF).</summary>
    public async Task WriteInputAndCloseAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        _process.StandardInput.Close();
    }

    /// <summary>Waits for the process to end and for its output to be read; fails (after killing it) on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, Func<string>? context = null)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"{CommandLine} did not exit within {timeout.TotalSeconds:0.#} s.\n{Describe()}{Context(context)}");
        }

        // Exit and end-of-stream arrive separately; the last lines may still be in flight.
        await Output.WaitForCompletionAsync(TimeSpan.FromSeconds(5));
        await Errors.WaitForCompletionAsync(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    /// <summary>Runs to completion and asserts exit code 0.</summary>
    public async Task AssertSucceedsAsync(TimeSpan timeout, Func<string>? context = null)
    {
        var exitCode = await WaitForExitAsync(timeout, context);
        Assert.True(exitCode == 0, $"{CommandLine} exited with {exitCode}.\n{Describe()}{Context(context)}");
    }

    /// <summary>Waits for a stdout line; fails with everything printed so far if it does not come.</summary>
    public async Task<string> WaitForOutputLineAsync(Func<string, bool> match, TimeSpan timeout, string what, Func<string>? context = null)
    {
        var line = await Output.WaitForLineAsync(match, timeout);
        return line ?? throw new Xunit.Sdk.XunitException(
            $"{CommandLine} did not print {what} within {timeout.TotalSeconds:0.#} s (exited: {HasExited}).\n{Describe()}{Context(context)}");
    }

    /// <summary>SIGINT, as Ctrl-C in a terminal.</summary>
    public void Interrupt() => PosixSignals.Interrupt(_process.Id);

    /// <summary>SIGKILL: the process dies without a chance to say goodbye (no MQTT DISCONNECT).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public string Describe() => $"$ {CommandLine}\n stdout:\n{Output.Format(100)}\n stderr:\n{Errors.Format(40)}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _process.Dispose();
    }

    private static string Context(Func<string>? context) => context is null ? string.Empty : "\n" + context();

    private static void Collect(OutputLog log, string? line)
    {
        if (line is null)
        {
            log.Complete();
        }
        else
        {
            log.Add(line);
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=@".Contains(c)) ? argument : $"'{argument.Replace("'", "'\\''")}'";
}
