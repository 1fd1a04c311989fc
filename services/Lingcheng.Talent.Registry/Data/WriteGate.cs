using Lingcheng.Talent.ServiceDefaults.Data;

namespace Lingcheng.Talent.Registry.Data;

/// <summary>
/// Lets one write transaction at a time into a SQLite database. SQLite has a single writer
/// anyway; without this gate concurrent writers wait in SQLite's busy handler, which sleeps in
/// steps of up to 100 ms, and the issue rate collapses (measured: 54 cards/s with 8 callers).
/// Queued on an async semaphore instead, each writer starts the moment the previous one commits.
/// On SQL Server the gate is open: the database schedules concurrent writers itself.
/// </summary>
public sealed class WriteGate(IConfiguration configuration) : IDisposable
{
    private readonly SemaphoreSlim? _semaphore = configuration.GetDatabaseProvider() == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async Task<T> RunAsync<T>(Func<Task<T>> write, CancellationToken cancellationToken)
    {
        if (_semaphore is null)
        {
            return await write();
        }

        await _semaphore.WaitAsync(cancellationToken);
        try
        {
            return await write();
        }
        finally
        {
            _semaphore.Release();
        }
    }

    public void Dispose() => _semaphore?.Dispose();
}
