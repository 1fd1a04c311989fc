using System.Data.Common;
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
/// <see cref="Interval"/>, which copies pages while the writer goes on appending.
/// <para>
/// SQLite starts the log again from its beginning only when a write begins with every page of it
/// copied, which a writer that never pauses does not allow. So when the log has reached
/// <see cref="RewindFrames"/> pages, the writer itself runs one more PASSIVE checkpoint between two
/// of its commits (<see cref="CheckpointBetweenCommits"/>): it copies only what was appended
/// since this thread's last pass, and the writer's next commit then rewinds the log. That costs the
/// writer a few milliseconds once per 64 MB of log. (A RESTART checkpoint from this thread did the
/// same by taking the write lock from the writer, and the two waited on each other's busy-handler
/// sleeps: commits of 40–75 ms, verify p99 at half load ≈ 50 ms.)
/// </para>
/// SQL Server needs none of this; there the class does nothing.
/// </summary>
public sealed class WalCheckpointer : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public const int DefaultRewindFrames = 16_384; // 64 MB of 4 KB pages

    private readonly string? _connectionString;
    private readonly ILogger<WalCheckpointer> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread? _thread;
    private readonly Lock _checkpointing = new();
    private int _rewindWanted;

    public WalCheckpointer(IDbContextFactory<VerificationDbContext> contexts, ILogger<WalCheckpointer> logger, int rewindFrames = DefaultRewindFrames)
    {
        _logger = logger;
        RewindFrames = rewindFrames;
        using var db = contexts.CreateDbContext();
        if (!db.Database.IsSqlite())
        {
            return;
        }

        _connectionString = db.Database.GetConnectionString();
        _thread = new Thread(Run) { IsBackground = true, Name = "WAL checkpointer" };
        _thread.Start();
    }

    /// <summary>Pages of log at which the writer rewinds it (<see cref="CheckpointBetweenCommits"/>).</summary>
    public int RewindFrames { get; }

    /// <summary>What the last checkpoint found: pages in the log, and how many of them are in the database file.</summary>
    public (long Log, long Copied) Last { get; private set; }

    /// <summary>
    /// Stops SQLite checkpointing inside this connection's commits (the connection stays open), and
    /// has it cut the log file back to <see cref="RewindFrames"/> pages when it starts the log again,
    /// so a burst does not leave a large file behind.
    /// </summary>
    public void DisableAutomaticCheckpoints(DatabaseFacade database)
    {
        if (database.IsSqlite())
        {
            var pragmas = $"PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit={RewindFrames * 4096L};"; // numbers only
            database.ExecuteSqlRaw(pragmas);
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

    /// <summary>
    /// Called by the writer between two commits, on its own connection: when the log is long enough
    /// to be rewound and no checkpoint is running, copies the rest of it, so that the writer's next
    /// commit starts the log again. True when it ran a checkpoint.
    /// </summary>
    public bool CheckpointBetweenCommits(DbConnection writer)
    {
        if (Volatile.Read(ref _rewindWanted) == 0 || !_checkpointing.TryEnter())
        {
            return false;
        }

        try
        {
            _rewindWanted = 0;
            Last = Checkpoint(writer);
            return true;
        }
        finally
        {
            _checkpointing.Exit();
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
                }

                lock (_checkpointing)
                {
                    var (log, copied) = Last = Checkpoint(connection);
                    if (log >= RewindFrames)
                    {
                        _logger.LogDebug("Write-ahead log at {Frames} pages ({Copied} copied); the writer rewinds it", log, copied);
                        Volatile.Write(ref _rewindWanted, 1);
                    }
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

    private static (long Log, long Copied) Checkpoint(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }
}
