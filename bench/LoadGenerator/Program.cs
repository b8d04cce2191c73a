using MqttCluster.LoadGenerator;

if (args.Length > 0 && args[0] == OfflineSessionsOptions.Command)
{
    return await OfflineSessionsCommand.RunAsync(args[1..]);
}

if (LoadCommandLine.IsHelpRequested(args))
{
    Console.WriteLine(LoadCommandLine.HelpText);
    return 0;
}

var (options, error) = LoadCommandLine.Parse(args);
if (options is null)
{
    await Console.Error.WriteLineAsync($"mqtt-cluster-bench: {error}");
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
    var report = await new LoadRun(options).RunAsync(cancellation.Token);
    Console.WriteLine(options.Json ? report.ToJson() : report.ToText());
    return report.QosKept ? 0 : 1;
}
catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException or OperationCanceledException)
{
    await Console.Error.WriteLineAsync($"mqtt-cluster-bench: {e.Message}");
    return 3;
}
