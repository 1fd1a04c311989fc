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

/// <summary>
/// The audit trail of every verify and redeem (SPEC §7.4), durable before the answer returns and
/// cheap enough not to be the bottleneck (SPEC §7.1). Callers queue their record and await it;
/// one background writer takes everything queued (up to <c>Verification:AuditBatchSize</c>),
/// chains the records with <see cref="AuditChain.Next"/> from the last hash it keeps in memory,
/// and commits them in ONE transaction (group commit): under load a single fsync covers many
/// verifies. The writer keeps one connection open with its two INSERTs prepared, and writes the
/// rows without EF Core, whose change tracking would cost about 15 × more per row on this hot path
/// (docs/requirements.md §10): on SQLite through SQLitePCL itself (<see cref="SqliteAuditInserts"/>), on SQL
/// Server as plain ADO.NET. After any failure it drops the connection and opens a new one.
/// When another replica shares the database (SQL Server) and took the same sequence, the batch
/// fails on the primary key; the writer reloads the last record and chains the batch again.
/// <para>
/// The holder's list (<c>CardVerifications</c>, a <see cref="CardVerificationNote"/> per trusted
/// verify or redeem) is derived from the audit records. On SQLite — one server, this writer the only
/// one — a note is not written in its record's transaction but kept in memory and written with
/// others (<c>Verification:CardNoteBatch</c>, <see cref="NoteDelay"/>, or when a list is asked for:
/// <see cref="FlushCardNotesAsync"/>), sorted by card: each note is a random page of the card index,
/// which made it the dearest part of a verify's commit (measured, docs/performance.md). Notes a killed
/// process did not write are derived again at start from the records after the last note written.
/// Elsewhere (SQL Server, replicas sharing the tables) every batch writes its notes itself.
/// </para>
/// Metrics (meter <c>Lingcheng.Talent</c>): <c>lingcheng.audit.commit.duration</c> (seconds per
/// batch, write and commit with its fsync), <c>lingcheng.audit.batch.size</c> (records per batch),
/// <c>lingcheng.audit.notes.duration</c> (seconds per transaction of card notes: a pause of the writer) and
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
    /// <summary>On SQLite, card notes are written once the oldest has waited this long (or <c>Verification:CardNoteBatch</c> wait).</summary>
    public static readonly TimeSpan NoteDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Metrics _metrics = new(meters?.Create("Lingcheng.Talent") ?? new Meter("Lingcheng.Talent"));
    private readonly List<CardVerificationNote> _notes = [];
    private AuditRecord? _last;
    private Connection? _connection;
    private bool _defersNotes;
    private long _notesSince;
    private volatile int _notesWaiting;

    /// <summary>A record to store, or (without one) a request to write the card notes waiting.</summary>
    private sealed record Pending(AuditEntry? Entry, TaskCompletionSource<long> Done);

    /// <summary>
    /// Queues a record and completes with its sequence once it is committed. Throws when the
    /// record could not be stored: then the caller must not give its answer.
    /// </summary>
    public Task<long> AppendAsync(AuditEntry entry) => Enqueue(entry);

    /// <summary>
    /// Completes once the card notes of every record committed so far are in <c>CardVerifications</c>
    /// (at once when none wait), so that the holder's list shows every acknowledged verify.
    /// </summary>
    public Task FlushCardNotesAsync() => _notesWaiting == 0 ? Task.CompletedTask : Enqueue(null);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        using (var db = contexts.CreateDbContext())
        {
            _defersNotes = db.Database.IsSqlite();
        }

        _last = LoadLast();
        if (_defersNotes)
        {
            LoadUnwrittenNotes();
        }

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

    private Task<long> Enqueue(AuditEntry? entry)
    {
        var pending = new Pending(entry, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _queue.Writer.TryWrite(pending)
            ? pending.Done.Task
            : Task.FromException<long>(new InvalidOperationException("The audit writer has stopped."));
    }

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<Pending>();
        var flushes = new List<Pending>();
        var records = new List<AuditRecord>();
        var max = Math.Max(1, options.Value.AuditBatchSize);
        var notesMax = Math.Max(1, options.Value.CardNoteBatch);
        WriteNotes(flushes); // those left unwritten by the last run
        while (true)
        {
            var ready = reader.WaitToReadAsync().AsTask();
            if (_notes.Count > 0 && !ready.Wait(NoteDelay))
            {
                WriteNotes(flushes); // idle: nothing to wait for
            }

            if (!ready.GetAwaiter().GetResult())
            {
                break;
            }

            batch.Clear();
            while (batch.Count < max && reader.TryRead(out var item))
            {
                (item.Entry is null ? flushes : batch).Add(item);
            }

            if (batch.Count > 0)
            {
                Commit(batch, records);
            }

            if (flushes.Count > 0 || _notes.Count >= notesMax || (_notes.Count > 0 && Stopwatch.GetElapsedTime(_notesSince) >= NoteDelay))
            {
                WriteNotes(flushes);
            }
        }

        WriteNotes(flushes);
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
                previous = AuditChain.Next(previous, p.Entry!, now);
                records.Add(previous);
            }

            try
            {
                var connection = Open();
                var started = Stopwatch.GetTimestamp();
                // On SQLite the notes follow in a later transaction of their own (WriteNotes); elsewhere
                // other replicas share the tables, so each batch writes its notes itself.
                connection.Inserts.Write(records, _defersNotes ? [] : [.. NotesOf(records)]);
                _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                _metrics.BatchSize.Record(batch.Count);
                checkpointer?.Committed();
                _last = previous;
                if (_defersNotes)
                {
                    KeepNotes(records); // before the answers: a holder's list asked right after must wait for them
                }

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

    private static IEnumerable<CardVerificationNote> NotesOf(IEnumerable<AuditRecord> records) =>
        records.Select(CardVerificationNote.Of).OfType<CardVerificationNote>();

    private void KeepNotes(IEnumerable<AuditRecord> records)
    {
        if (_notes.Count == 0)
        {
            _notesSince = Stopwatch.GetTimestamp();
        }

        _notes.AddRange(NotesOf(records));
        _notesWaiting = _notes.Count;
    }

    /// <summary>
    /// Writes the card notes waiting, in one transaction, in index order (each page of the card
    /// index is then written once for all its notes), and answers the flush requests.
    /// </summary>
    private void WriteNotes(List<Pending> flushes)
    {
        try
        {
            if (_notes.Count > 0)
            {
                _notes.Sort((a, b) => string.CompareOrdinal(a.CardNumber, b.CardNumber) is var c and not 0 ? c : a.AuditSequence.CompareTo(b.AuditSequence));
                var started = Stopwatch.GetTimestamp();
                Open().Inserts.Write([], _notes);
                _metrics.NotesDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
                checkpointer?.Committed();
                _notes.Clear();
                _notesWaiting = 0;
            }

            foreach (var f in flushes)
            {
                f.Done.TrySetResult(0);
            }
        }
        catch (Exception ex)
        {
            // Kept for the next try; a restart would rebuild them from the audit records anyway.
            logger.LogWarning("Writing {Count} card notes failed ({Problem}); tried again later", _notes.Count, ex.GetType().Name);
            DropConnection();
            foreach (var f in flushes)
            {
                f.Done.TrySetException(new InvalidOperationException("The holder's list could not be brought up to date.", ex));
            }
        }

        flushes.Clear();
    }

    /// <summary>The notes of the records after the last note written (a killed process left them unwritten).</summary>
    private void LoadUnwrittenNotes()
    {
        using var db = contexts.CreateDbContext();
        var written = db.CardVerifications.Max(c => (long?)c.AuditSequence) ?? 0;
        KeepNotes(db.AuditRecords.AsNoTracking()
            .Where(r => r.Sequence > written && (r.Action == "Verify" || r.Action == "Redeem"))
            .OrderBy(r => r.Sequence)
            .AsEnumerable());
    }

    private Connection Open() => _connection ??= Connection.Open(contexts, options.Value.AuditSkipsFsync, checkpointer);

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

        public Histogram<double> NotesDuration { get; } = meter.CreateHistogram<double>("lingcheng.audit.notes.duration", "s", "Time to write and commit the holder's-list notes waiting (SQLite)");

        public Histogram<double> RewindDuration { get; } = meter.CreateHistogram<double>("lingcheng.audit.rewind.duration", "s", "Time the writer spent copying the rest of the write-ahead log before rewinding it");
    }

    /// <summary>The writer's open connection and its two prepared INSERTs.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly VerificationDbContext _db;

        private Connection(VerificationDbContext db)
        {
            _db = db;
            DbConnection = db.Database.GetDbConnection();
            Inserts = DbConnection is SqliteConnection sqlite ? new SqliteAuditInserts(sqlite) : new AdoAuditInserts(DbConnection);
        }

        public DbConnection DbConnection { get; }

        public IAuditInserts Inserts { get; }

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

        public void Dispose()
        {
            Inserts.Dispose();
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

        public void Write(IReadOnlyList<AuditRecord> records, IReadOnlyList<CardVerificationNote> notes)
        {
            using var tx = _connection.BeginTransaction();
            _audit.Transaction = tx;
            _card.Transaction = tx;
            foreach (var r in records)
            {
                Set(_a, r.Sequence, r.OccurredAt, r.Principal, r.Agency, r.Action, r.Target, r.Outcome, r.Detail, r.PreviousHash, r.Hash);
                _audit.ExecuteNonQuery();
            }

            foreach (var note in notes)
            {
                Set(_c, note.AuditSequence, note.CardNumber, note.OccurredAt, note.AgencyCode, note.Outcome, note.Action, note.BenefitCode);
                _card.ExecuteNonQuery();
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
