using System.Data.Common;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Lingcheng.Talent.Verification.Audit;

/// <summary>What the holder's "who verified my card" list keeps of an audited attempt.</summary>
public sealed record CardVerificationNote(string CardNumber, string AgencyCode, string Outcome, string Action, string? BenefitCode);

/// <summary>
/// The audit trail of every verify and redeem (SPEC §7.4), durable before the answer returns and
/// cheap enough not to be the bottleneck (SPEC §7.1). Callers queue their record and await it;
/// one background writer takes everything queued (up to <c>Verification:AuditBatchSize</c>),
/// chains the records with <see cref="AuditChain.Next"/> from the last hash it keeps in memory,
/// and commits them in ONE transaction (group commit): under load a single fsync covers many
/// verifies. The writer keeps one connection open with its two INSERTs prepared, and writes the
/// rows without EF Core, whose change tracking would cost about 15 × more per row on this hot path
/// (shared/TIPS.md): on SQLite through SQLitePCL itself (<see cref="SqliteAuditInserts"/>), on SQL
/// Server as plain ADO.NET. After any failure it drops the connection and opens a new one.
/// When another replica shares the database (SQL Server) and took the same sequence, the batch
/// fails on the primary key; the writer reloads the last record and chains the batch again.
/// Metrics (meter <c>Lingcheng.Talent</c>): <c>lingcheng.audit.commit.duration</c> (seconds per
/// batch, write and commit with its fsync), <c>lingcheng.audit.batch.size</c> (records per batch) and
/// <c>lingcheng.audit.rewind.duration</c> (the writer's own checkpoint before it rewinds the log).
/// </summary>
public sealed class AuditWriter(
    IDbContextFactory<VerificationDbContext> contexts,
    TimeProvider time,
    IOptions<VerificationOptions> options,
    ILogger<AuditWriter> logger,
    WalCheckpointer? checkpointer = null,
    IMeterFactory? meters = null) : BackgroundService
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Metrics _metrics = new(meters?.Create("Lingcheng.Talent") ?? new Meter("Lingcheng.Talent"));
    private AuditRecord? _last;
    private Connection? _connection;

    private sealed record Pending(AuditEntry Entry, CardVerificationNote? Card, TaskCompletionSource<long> Done);

    /// <summary>
    /// Queues a record and completes with its sequence once it is committed. Throws when the
    /// record could not be stored: then the caller must not give its answer.
    /// </summary>
    public Task<long> AppendAsync(AuditEntry entry, CardVerificationNote? card = null)
    {
        var pending = new Pending(entry, card, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            return Task.FromException<long>(new InvalidOperationException("The audit writer has stopped."));
        }

        return pending.Done.Task;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _last = LoadLast();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Let queued records reach the disk before the process ends.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _connection?.Dispose();
        base.Dispose();
    }

    // The writer runs on a thread of its own and writes synchronously: SQLite's "async" ADO.NET calls
    // block anyway, and a thread-pool thread blocked in fsync for milliseconds left the two-core
    // machine's requests queueing behind it (measured: server p95 17–43 ms at half load).
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        var records = new List<AuditRecord>();
        var max = Math.Max(1, options.Value.AuditBatchSize);
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            batch.Clear();
            while (batch.Count < max && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            Commit(batch, records);
        }

        DropConnection();
    }

    private void Commit(List<Pending> batch, List<AuditRecord> records)
    {
        for (var attempt = 1; ; attempt++)
        {
            records.Clear();
            var previous = _last;
            var now = time.GetUtcNow();
            foreach (var p in batch)
            {
                previous = AuditChain.Next(previous, p.Entry, now);
                records.Add(previous);
            }

            try
            {
                _connection ??= Connection.Open(contexts, options.Value.AuditSkipsFsync, checkpointer);
                var started = Stopwatch.GetTimestamp();
                _connection.Write(batch, records);
                _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _metrics.BatchSize.Record(batch.Count);
                checkpointer?.Committed();
                _last = previous;
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(records[i].Sequence);
                }

                RewindLogIfDue();
                return;
            }
            catch (Exception ex) when (attempt < 4)
            {
                logger.LogWarning("Audit batch of {Count} failed (attempt {Attempt}, {Problem}); reloading the chain head", batch.Count, attempt, ex.GetType().Name);
                DropConnection();
                Thread.Sleep(20 * attempt);
                try
                {
                    _last = LoadLast();
                }
                catch (Exception reload)
                {
                    logger.LogWarning("Reloading the audit chain head failed: {Problem}", reload.GetType().Name);
                }
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Audit batch of {Count} could not be stored; the calls fail", batch.Count);
                DropConnection();
                foreach (var p in batch)
                {
                    p.Done.TrySetException(new InvalidOperationException("The audit record could not be stored.", ex));
                }

                return;
            }
        }
    }

    // After the batch is answered, so no verify waits for it (WalCheckpointer: once per RewindFrames of log).
    private void RewindLogIfDue()
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            if (checkpointer?.CheckpointBetweenCommits(_connection!.DbConnection) == true)
            {
                _metrics.RewindDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            }
        }
        catch (Exception ex)
        {
            logger.LogWarning("Checkpoint between audit commits failed ({Problem}); the log is rewound later", ex.Message);
            DropConnection();
        }
    }

    private void DropConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }

    private AuditRecord? LoadLast()
    {
        using var db = contexts.CreateDbContext();
        return db.AuditRecords.AsNoTracking().OrderByDescending(r => r.Sequence).FirstOrDefault();
    }

    private sealed class Metrics(Meter meter)
    {
        public Histogram<double> CommitDuration { get; } = meter.CreateHistogram<double>("lingcheng.audit.commit.duration", "s", "Time to write and commit one audit batch");

        public Histogram<int> BatchSize { get; } = meter.CreateHistogram<int>("lingcheng.audit.batch.size", "{record}", "Audit records committed together");

        public Histogram<double> RewindDuration { get; } = meter.CreateHistogram<double>("lingcheng.audit.rewind.duration", "s", "Time the writer spent copying the rest of the write-ahead log before rewinding it");
    }

    /// <summary>The writer's open connection and its two prepared INSERTs.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly VerificationDbContext _db;
        private readonly IAuditInserts _inserts;

        private Connection(VerificationDbContext db)
        {
            _db = db;
            DbConnection = db.Database.GetDbConnection();
            _inserts = DbConnection is SqliteConnection sqlite ? new SqliteAuditInserts(sqlite) : new AdoAuditInserts(DbConnection);
        }

        public DbConnection DbConnection { get; }

        public static Connection Open(IDbContextFactory<VerificationDbContext> contexts, bool skipFsync, WalCheckpointer? checkpointer)
        {
            var db = contexts.CreateDbContext();
            try
            {
                db.Database.OpenConnection();
                if (skipFsync && db.Database.IsSqlite())
                {
                    db.Database.ExecuteSqlRaw("PRAGMA synchronous=NORMAL;"); // this connection only
                }

                checkpointer?.DisableAutomaticCheckpoints(db.Database);

                return new Connection(db);
            }
            catch
            {
                db.Dispose();
                throw;
            }
        }

        public void Write(List<Pending> batch, List<AuditRecord> records) => _inserts.Write(records, i => batch[i].Card);

        public void Dispose()
        {
            _inserts.Dispose();
            _db.Database.CloseConnection();
            _db.Dispose();
        }
    }

    /// <summary>The two INSERTs as plain ADO.NET commands on any provider (SQL Server in production).</summary>
    private sealed class AdoAuditInserts : IAuditInserts
    {
        private readonly DbConnection _connection;
        private readonly DbCommand _audit;
        private readonly DbCommand _card;
        private readonly DbParameter[] _a;
        private readonly DbParameter[] _c;

        public AdoAuditInserts(DbConnection connection)
        {
            _connection = connection;
            _audit = connection.CreateCommand();
            _audit.CommandText = "INSERT INTO [AuditRecords] ([Sequence], [OccurredAt], [Principal], [Agency], [Action], [Target], [Outcome], [Detail], [PreviousHash], [Hash]) "
                + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9)";
            _a = Parameters(_audit, 10);
            _card = connection.CreateCommand();
            _card.CommandText = "INSERT INTO [CardVerifications] ([AuditSequence], [CardNumber], [OccurredAt], [AgencyCode], [Outcome], [Action], [BenefitCode]) "
                + "VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6)";
            _c = Parameters(_card, 7);
        }

        public void Write(IReadOnlyList<AuditRecord> records, Func<int, CardVerificationNote?> cardOf)
        {
            using var tx = _connection.BeginTransaction();
            _audit.Transaction = tx;
            _card.Transaction = tx;
            for (var i = 0; i < records.Count; i++)
            {
                var r = records[i];
                Set(_a, r.Sequence, r.OccurredAt, r.Principal, r.Agency, r.Action, r.Target, r.Outcome, r.Detail, r.PreviousHash, r.Hash);
                _audit.ExecuteNonQuery();
                if (cardOf(i) is { } note)
                {
                    Set(_c, r.Sequence, note.CardNumber, r.OccurredAt, note.AgencyCode, note.Outcome, note.Action, note.BenefitCode);
                    _card.ExecuteNonQuery();
                }
            }

            tx.Commit();
        }

        public void Dispose()
        {
            _audit.Dispose();
            _card.Dispose();
        }

        private static DbParameter[] Parameters(DbCommand command, int count)
        {
            var parameters = new DbParameter[count];
            for (var i = 0; i < count; i++)
            {
                parameters[i] = command.CreateParameter();
                parameters[i].ParameterName = "@p" + i;
                command.Parameters.Add(parameters[i]);
            }

            return parameters;
        }

        private static void Set(DbParameter[] parameters, params ReadOnlySpan<object?> values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }
        }
    }
}
