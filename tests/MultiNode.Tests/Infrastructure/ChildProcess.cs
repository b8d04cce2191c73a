using System.Diagnostics;

namespace MqttCluster.MultiNode.Tests.Infrastructure;

/// <summary>
/// A program the tests start (a broker node, mosquitto_sub, mosquitto_pub, the cluster script) with stdout and
/// stderr collected line by line. Every wait has a deadline; a process still running at dispose is killed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    public string CommandLine { get; }

    public OutputLog Output { get; } = new();

    public OutputLog Errors { get; } = new();

    public bool HasExited => _process.HasExited;

    public int ProcessId { get; private set; }

    /// <summary>The exit code once the process ended; null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>
    /// Starts <paramref name="fileName"/>. With <paramref name="defaultInterrupt"/>, SIGINT is restored to its default
    /// first: a test run started as a background job of a non-interactive shell ignores SIGINT and children inherit
    /// that, so Ctrl-C would not stop them. <c>env</c> execs the program: same pid.
    /// </summary>
    public static ChildProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        bool defaultInterrupt = false,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var argumentList = arguments.ToList();
        if (defaultInterrupt && PosixSignals.IsInterruptIgnoredHere())
        {
            argumentList.InsertRange(0, ["--default-signal=INT", fileName]);
            fileName = "/usr/bin/env";
        }

        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in argumentList)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(fileName).Select(Quote));
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, commandLine);
        process.OutputDataReceived += (_, e) => Collect(child.Output, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(child.Errors, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {commandLine}");
        }

        child.ProcessId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the process to end and its output to be read; fails (after killing it) on timeout.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, Func<string>? context = null)
    {
        if (!await TryWaitForExitAsync(timeout))
        {
            Kill();
            Assert.Fail($"{CommandLine} did not exit within {timeout.TotalSeconds:0.#} s.\n{Describe()}{Context(context)}");
        }

        return _process.ExitCode;
    }

    /// <summary>True when the process ended within <paramref name="timeout"/> (and its output was read).</summary>
    public async Task<bool> TryWaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        // Exit and end-of-stream arrive separately; the last lines may still be in flight.
        await Output.WaitForCompletionAsync(TimeSpan.FromSeconds(5));
        await Errors.WaitForCompletionAsync(TimeSpan.FromSeconds(5));
        return true;
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
    public void Interrupt()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Interrupt(ProcessId);
        }
    }

    /// <summary>SIGKILL (kill -9): the process dies without running any shutdown code.</summary>
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

    public string Describe(int outputLines = 100) =>
        $"$ {CommandLine}\n stdout:\n{Output.Format(outputLines)}\n stderr:\n{Errors.Format(40)}";

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
