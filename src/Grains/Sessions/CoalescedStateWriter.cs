namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Group commit for a reentrant grain's state: at most one write in flight, and every caller that changed the
/// state while one was in flight is covered by the next (the write coalescing of Orleans' Chirper sample). Used on
/// the grain's scheduler only.
/// </summary>
internal sealed class CoalescedStateWriter(Func<Task> write)
{
    private long _changes;
    private long _stored;
    private Task _writing = Task.CompletedTask;

    /// <summary>Counts a change made to the state in memory.</summary>
    public void Changed() => _changes++;

    /// <summary>Returns once every change counted before the call is stored; a failed write fails its callers, and
    /// the next call writes again.</summary>
    public async Task FlushAsync()
    {
        var wanted = _changes;
        while (_stored < wanted)
        {
            if (_writing.IsCompleted)
            {
                _writing = WriteAsync();
            }

            await _writing;
        }
    }

    private async Task WriteAsync()
    {
        var covered = _changes;
        await write();
        _stored = Math.Max(_stored, covered);
    }
}
