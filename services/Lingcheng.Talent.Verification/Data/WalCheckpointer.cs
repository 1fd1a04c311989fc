using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Lingcheng.Talent.Verification.Data;

/// <summary>
/// Moves the verification database's write-ahead log into the database file from a thread of its
/// own, so that the audit writer never does it inside a commit. SQLite's default is that the
/// connection whose commit takes the log past 1 000 pages copies the whole log and fsyncs the file
/// before its commit returns: under the verify load that was several times a second, 10–30 ms each,
/// and every verify waiting on that commit waited too (measured: audit wait p95 20–38 ms at half
/// load). The audit writer's connection switches that off (<see cref="DisableAutomaticCheckpoints"/>)
/// and calls <see cref="Committed"/>; this thread then runs a PASSIVE checkpoint at most every
/// <see cref="Interval"/>, which copies pages while the writer goes on appending. When the log keeps
/// growing under sustained load (a passive checkpoint never catches up with a writer that never
/// pauses), a RESTART checkpoint at <see cref="RestartFrames"/> pages lets the log start again from
/// its beginning; by then nearly all of it is copied, so the writer waits only briefly.
/// SQL Server needs none of this; there the class does nothing.
/// </summary>
public sealed class WalCheckpointer : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public const int RestartFrames = 4_096; // 16 MB of 4 KB pages

    private readonly string? _connectionString;
    private readonly ILogger<WalCheckpointer> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _thread;

    public WalCheckpointer(IDbContextFactory<VerificationDbContext> contexts, ILogger<WalCheckpointer> logger)
    {
        _logger = logger;
        using var db = contexts.CreateDbContext();
        if (!db.Database.IsSqlite())
        {
            return;
        }

        _connectionString = db.Database.GetConnectionString();
        _thread = new Thread(Run) { IsBackground = true, Name = "WAL checkpointer" };
        _thread.Start();
    }

    /// <summary>What the last checkpoint found: pages in the log, and how many of them are in the database file.</summary>
    public (long Log, long Copied) Last { get; private set; }

    /// <summary>
    /// Stops SQLite checkpointing inside this connection's commits (the connection stays open), and
    /// has it cut the log file back to <see cref="RestartFrames"/> pages when it starts the log again,
    /// so a burst does not leave a large file behind.
    /// </summary>
    public static void DisableAutomaticCheckpoints(DatabaseFacade database)
    {
        if (database.IsSqlite())
        {
            database.ExecuteSqlRaw($"PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={RestartFrames * 4096};");
        }
    }

    /// <summary>A commit added to the log; a checkpoint follows within <see cref="Interval"/>.</summary>
    public void Committed()
    {
        if (_thread is not null && _wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    private void Run()
    {
        using var connection = new SqliteConnection(_connectionString);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _wake.Wait(_stop.Token);
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    connection.Open();
                    using var wait = connection.CreateCommand();
                    wait.CommandText = "PRAGMA busy_timeout=5000;"; // RESTART waits for the writer's transaction in progress
                    wait.ExecuteNonQuery();
                }

                var (log, copied) = Last = Checkpoint(connection, "PASSIVE");
                if (log >= RestartFrames)
                {
                    _logger.LogDebug("Write-ahead log at {Frames} pages ({Copied} copied); restarting it", log, copied);
                    Last = Checkpoint(connection, "RESTART");
                }

                _stop.Token.WaitHandle.WaitOne(Interval);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // Nothing is lost: SQLite checkpoints by itself again once the log is large enough
                // for another connection, and the next commit wakes this thread.
                _logger.LogWarning("Checkpoint failed: {Problem}", ex.Message);
                connection.Close();
                _stop.Token.WaitHandle.WaitOne(Interval);
            }
        }
    }

    private static (long Log, long Copied) Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }
}
