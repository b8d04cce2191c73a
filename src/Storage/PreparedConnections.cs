using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace MqttCluster.Storage;

/// <summary>
/// Open connections to one SQLite database, each keeping its statements prepared. Microsoft.Data.Sqlite's own pool
/// keeps the SQLite handles open but gives each use a new <see cref="SqliteConnection"/>, on which every command is
/// compiled again: every session grain activation (one per CONNECT) paid for parsing and planning its SELECT. A
/// rented <see cref="PreparedConnection"/> is used by one caller at a time and goes back here afterwards.
/// </summary>
internal sealed class PreparedConnections(string connectionString, Action<SqliteConnection> configure, int keptIdle) : IDisposable
{
    private readonly ConcurrentBag<PreparedConnection> _idle = [];
    private int _idleCount;
    private volatile bool _disposed;

    public async ValueTask<PreparedConnection> RentAsync()
    {
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            return idle;
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            configure(connection);
            return new PreparedConnection(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Takes a connection back; one that failed mid-statement is closed rather than kept.</summary>
    public void Return(PreparedConnection connection, bool failed)
    {
        if (failed || _disposed)
        {
            connection.Dispose();
            return;
        }

        // Counted apart: the bag's own count locks all of its per-thread lists.
        if (Interlocked.Increment(ref _idleCount) > keptIdle)
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
            return;
        }

        _idle.Add(connection);
        if (_disposed)
        {
            Dispose();
        }
    }

    /// <summary>Closes the idle connections; a rented one is closed when it comes back, and a use after this opens a
    /// connection for itself alone (a late write during a silo's stop still lands).</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            Interlocked.Decrement(ref _idleCount);
            connection.Dispose();
        }
    }
}
