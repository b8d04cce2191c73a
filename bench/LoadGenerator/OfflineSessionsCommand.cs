namespace MqttCluster.LoadGenerator;

/// <summary>The <c>offline-sessions</c> command: parses its options, runs it, prints its JSON line.</summary>
public static class OfflineSessionsCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.IsHelpRequested(args))
        {
            Console.WriteLine(OfflineSessionsOptions.HelpText);
            return 0;
        }

        var (options, error) = OfflineSessionsOptions.Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"mqtt-cluster-bench offline-sessions: {error}");
            return 2;
        }

        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        try
        {
            Console.WriteLine(await new OfflineSessionsRun(options).RunAsync(cancellation.Token));
            return 0;
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"mqtt-cluster-bench offline-sessions: {e.Message}");
            return 3;
        }
    }
}
