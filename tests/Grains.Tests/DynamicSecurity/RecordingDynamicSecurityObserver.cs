using System.Threading.Channels;

namespace MqttCluster.Grains.Tests.DynamicSecurity;

/// <summary>Stands in for a gateway's replica: keeps every update pushed to it.</summary>
public sealed class RecordingDynamicSecurityObserver : IDynamicSecurityObserver
{
    private readonly Channel<DynamicSecurityUpdate> _updates = Channel.CreateUnbounded<DynamicSecurityUpdate>();

    public Task ApplyAsync(DynamicSecurityUpdate update)
    {
        _updates.Writer.TryWrite(update);
        return Task.CompletedTask;
    }

    /// <summary>The next update, or a failure naming what was awaited.</summary>
    public async Task<DynamicSecurityUpdate> NextAsync(string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            return await _updates.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No dynamic-security update arrived: {what}.");
        }
    }
}
