using Lingcheng.Talent.ServiceDefaults.Audit;
using Lingcheng.Talent.ServiceDefaults.Data;
using Lingcheng.Talent.Verification.Audit;
using Lingcheng.Talent.Verification.Data;
using Lingcheng.Talent.Verification.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Lingcheng.Talent.Verification.Tests;

/// <summary>The group-committing audit writer on a real SQLite file (in process).</summary>
public sealed class AuditWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lct-tests", "audit-" + Guid.NewGuid().ToString("N"));
    private readonly Factory _contexts;

    public AuditWriterTests()
    {
        Directory.CreateDirectory(_folder);
        _contexts = new Factory(DatabaseExtensions.SqliteConnectionString(Path.Combine(_folder, "verification.db")));
        using var db = _contexts.CreateDbContext();
        db.Database.Migrate();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_records_are_committed_in_batches_into_one_intact_chain_that_a_restart_continues(bool skipFsync)
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = NewWriter(skipFsync);
        await writer.StartAsync(ct);
        var sequences = await Task.WhenAll(Enumerable.Range(0, 300).Select(i => writer.AppendAsync(i % 3 == 0
            ? new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", "LC260000012", "VALID", "terminal=t1 kid=00")
            : new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", null, "MALFORMED", "terminal=t1"))));
        await writer.StopAsync(ct);

        var restarted = NewWriter(skipFsync);
        await restarted.StartAsync(ct);
        var next = await restarted.AppendAsync(new AuditEntry("agency_terminal:EDU/t1", "EDU", "Redeem", "LC260000012", "REDEEMED"));
        await restarted.StopAsync(ct);

        await using var db = _contexts.CreateDbContext();
        var report = await AuditChain.VerifyAsync(db, ct);
        Assert.True(report.Intact, report.Detail);
        Assert.Equal(301, report.RecordsChecked);
        Assert.Equal(Enumerable.Range(1, 300).Select(i => (long)i), sequences.Order());
        Assert.Equal(301, next);
        Assert.Equal(101, await db.CardVerifications.CountAsync(ct)); // the VALID verifies and the redeem
    }

    [Fact]
    public async Task Card_notes_written_after_their_records_are_in_the_holder_list_once_it_is_asked_for_and_rebuilt_after_a_kill()
    {
        var ct = TestContext.Current.CancellationToken;
        var writer = NewWriter(skipFsync: false);
        await writer.StartAsync(ct);
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => writer.AppendAsync(new AuditEntry("agency_terminal:HOSP_PEOPLE/desk 1", "HOSP_PEOPLE",
            i % 2 == 0 ? "Verify" : "Redeem", $"LC2600{i % 7:D5}", i % 2 == 0 ? "VALID" : "REDEEMED",
            CardVerificationNote.Detail("desk 1", [1, 2], "ab12", false, i % 2 == 0 ? null : "ANNUAL_HEALTH_CHECK", i % 2 == 0 ? null : $"r-{i}", i % 2 == 0 ? null : "VALID")))));

        // Fewer than CardNoteBatch: in memory until NoteDelay has passed or, as here, a list is asked for.
        await writer.FlushCardNotesAsync();
        List<CardVerificationEntity> written;
        await using (var db = _contexts.CreateDbContext())
        {
            written = await db.CardVerifications.AsNoTracking().OrderBy(c => c.AuditSequence).ToListAsync(ct);
        }

        await writer.StopAsync(ct);
        Assert.Equal(40, written.Count);
        var redeem = written.First(c => c.Action == "REDEEM");
        Assert.Equal(("HOSP_PEOPLE", "VALID", "ANNUAL_HEALTH_CHECK"), (redeem.AgencyCode, redeem.Outcome, redeem.BenefitCode));

        // A process killed before it wrote its notes: the records are there, the notes after 25 are not.
        await using (var db = _contexts.CreateDbContext())
        {
            await db.CardVerifications.Where(c => c.AuditSequence > 25).ExecuteDeleteAsync(ct);
        }

        var restarted = NewWriter(skipFsync: false);
        await restarted.StartAsync(ct);
        await restarted.FlushCardNotesAsync();
        await using (var db = _contexts.CreateDbContext())
        {
            var rebuilt = await db.CardVerifications.AsNoTracking().OrderBy(c => c.AuditSequence).ToListAsync(ct);
            Assert.Equal(
                written.Select(c => (c.AuditSequence, c.CardNumber, c.OccurredAt, c.AgencyCode, c.Outcome, c.Action, c.BenefitCode)),
                rebuilt.Select(c => (c.AuditSequence, c.CardNumber, c.OccurredAt, c.AgencyCode, c.Outcome, c.Action, c.BenefitCode)));
        }

        await restarted.StopAsync(ct);
    }

    [Fact]
    public async Task Two_writers_on_one_database_take_turns_on_the_chain_after_colliding_on_a_sequence()
    {
        // Two replicas sharing a database (SQL Server in production): each keeps the chain head in
        // memory, so the second to write collides on the primary key, reloads the head on a new
        // connection and chains its batch again.
        var ct = TestContext.Current.CancellationToken;
        var a = NewWriter(skipFsync: true);
        var b = NewWriter(skipFsync: true);
        await a.StartAsync(ct);
        await b.StartAsync(ct);
        var entry = new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", "LC260000012", "VALID", "terminal=t1");

        var first = await a.AppendAsync(entry);
        var second = await b.AppendAsync(entry);
        var third = await a.AppendAsync(entry);
        await a.StopAsync(ct);
        await b.StopAsync(ct);

        Assert.Equal([1L, 2L, 3L], [first, second, third]);
        await using var db = _contexts.CreateDbContext();
        var report = await AuditChain.VerifyAsync(db, ct);
        Assert.True(report.Intact, report.Detail);
        Assert.Equal(3, report.RecordsChecked);
    }

    [Fact]
    public async Task With_the_checkpointer_the_write_ahead_log_is_copied_back_and_reused_instead_of_growing()
    {
        var ct = TestContext.Current.CancellationToken;
        using var checkpointer = new WalCheckpointer(_contexts, NullLogger<WalCheckpointer>.Instance);
        var writer = NewWriter(skipFsync: true, checkpointer);
        await writer.StartAsync(ct);
        var wal = Path.Combine(_folder, "verification.db-wal");
        var sizes = new List<long>();
        for (var burst = 0; burst < 3; burst++)
        {
            await Task.WhenAll(Enumerable.Range(0, 400).Select(i => writer.AppendAsync(
                new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", $"LC26{burst}{i:D6}", "VALID", "terminal=t1"))));
            // Every write of the burst done (its card notes too), then a complete checkpoint that stays the last one for
            // a second: on a loaded machine an earlier, already complete one could be seen before the last writes' turn.
            await writer.FlushCardNotesAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var stable = System.Diagnostics.Stopwatch.StartNew();
            var seen = checkpointer.Last;
            while (checkpointer.Last is not { Log: > 0 } last || last.Copied < last.Log || last != seen || stable.Elapsed < TimeSpan.FromSeconds(1))
            {
                Assert.True(DateTime.UtcNow < deadline, $"no complete checkpoint after burst {burst}: {checkpointer.Last}");
                if (checkpointer.Last != seen)
                {
                    seen = checkpointer.Last;
                    stable.Restart();
                }

                await Task.Delay(20, ct);
            }

            sizes.Add(new FileInfo(wal).Length);
        }

        await writer.StopAsync(ct);
        await using var db = _contexts.CreateDbContext();
        Assert.Equal(1200, await db.CardVerifications.CountAsync(ct));
        // The writer does not checkpoint a log this short (its connection has automatic checkpoints
        // off, and it copies the log itself only from RewindFrames on); without this thread the log
        // would hold all three bursts (3 × the first). Copied back, it is rewound and
        // written again from the start; at worst a checkpoint in the middle of the first burst halves
        // that burst's extent, hence 2.5.
        Assert.True(sizes[2] < sizes[0] * 2.5, $"log sizes after each burst: {string.Join(", ", sizes)} bytes");
    }

    [Fact]
    public async Task Under_writes_that_never_pause_the_writer_rewinds_the_write_ahead_log_between_commits()
    {
        // A passive checkpoint never catches up with a writer that never pauses, and SQLite starts the
        // log again only when a write begins with all of it copied: the writer copies the rest itself
        // once the log reaches RewindFrames (here 100 pages, instead of 64 MB) and rewinds it.
        var ct = TestContext.Current.CancellationToken;
        using var checkpointer = new WalCheckpointer(_contexts, NullLogger<WalCheckpointer>.Instance, rewindFrames: 100);
        var writer = NewWriter(skipFsync: true, checkpointer);
        await writer.StartAsync(ct);
        var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        long written = 0;
        var producers = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var card = $"LC26{Interlocked.Increment(ref written) % 10_000_000:D7}";
                await writer.AppendAsync(new AuditEntry("agency_terminal:EDU/t1", "EDU", "Verify", card, "VALID", "terminal=t1"));
            }
        }, ct)).ToArray();

        // The log's page count only goes down when the log is started again.
        long rewinds = 0, previousLog = 0;
        while (rewinds < 2 && !stop.IsCancellationRequested)
        {
            var log = checkpointer.Last.Log;
            rewinds += log < previousLog ? 1 : 0;
            previousLog = log;
            await Task.Delay(5, ct);
        }

        await stop.CancelAsync();
        await Task.WhenAll(producers);
        await writer.StopAsync(ct);
        await using var db = _contexts.CreateDbContext();
        Assert.Equal(Interlocked.Read(ref written), await db.CardVerifications.CountAsync(ct));
        Assert.True(rewinds >= 2, $"the log was rewound {rewinds} times in 30 s of writing ({written} records); it is at {checkpointer.Last.Log} pages");
    }

    [Fact]
    public async Task Stored_rows_hold_what_Microsoft_Data_Sqlite_would_have_written_and_read_back_the_same()
    {
        // The writer binds its values through SQLitePCL directly; EF Core and the audit chain read
        // them back through Microsoft.Data.Sqlite, so the text must be the same to the byte.
        var ct = TestContext.Current.CancellationToken;
        DateTimeOffset[] instants =
        [
            new(2026, 12, 4, 1, 2, 3, TimeSpan.Zero),                      // whole second: no fraction written
            new DateTimeOffset(639_313_650_001_234_567, TimeSpan.Zero),     // all seven fraction digits
            new DateTimeOffset(639_313_650_001_200_000, TimeSpan.Zero),     // trailing zeros dropped
        ];
        var clock = new SteppedClock(instants);
        var writer = new AuditWriter(_contexts, clock, Microsoft.Extensions.Options.Options.Create(new VerificationOptions()), NullLogger<AuditWriter>.Instance);
        await writer.StartAsync(ct);
        foreach (var _ in instants)
        {
            await writer.AppendAsync(new AuditEntry("agency_terminal:HOSP_PEOPLE/终端-7", "HOSP_PEOPLE", "Verify", "LC260000012", "VALID", "terminal=终端-7"));
        }

        await writer.StopAsync(ct);

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(DatabaseExtensions.SqliteConnectionString(Path.Combine(_folder, "verification.db")));
        await connection.OpenAsync(ct);
        for (var i = 0; i < instants.Length; i++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT a.OccurredAt, c.OccurredAt, $expected, a.Principal, c.BenefitCode IS NULL FROM AuditRecords a JOIN CardVerifications c ON c.AuditSequence = a.Sequence WHERE a.Sequence = $sequence";
            command.Parameters.AddWithValue("$expected", instants[i]); // bound the way Microsoft.Data.Sqlite binds it
            command.Parameters.AddWithValue("$sequence", i + 1);
            using var row = await command.ExecuteReaderAsync(ct);
            Assert.True(await row.ReadAsync(ct));
            Assert.Equal(row.GetString(2), row.GetString(0));
            Assert.Equal(row.GetString(2), row.GetString(1));
            Assert.Equal("agency_terminal:HOSP_PEOPLE/终端-7", row.GetString(3));
            Assert.True(row.GetBoolean(4));
        }

        await using var db = _contexts.CreateDbContext();
        Assert.Equal(instants, await db.AuditRecords.OrderBy(r => r.Sequence).Select(r => r.OccurredAt).ToListAsync(ct));
        var report = await AuditChain.VerifyAsync(db, ct);
        Assert.True(report.Intact, report.Detail);
    }

    [Fact]
    public void Record_hashes_are_the_documented_bytes_so_chains_written_before_stay_verifiable()
    {
        // Expected values computed independently (Python hashlib) from the definition in docs/operations.md §6:
        // SHA-256 over sequence and UTC ticks (big-endian int64), then each field as a big-endian
        // int64 UTF-8 length (-1 for null) and its bytes.
        var at = new DateTimeOffset(639313650001234567, TimeSpan.Zero);
        var first = new AuditRecord
        {
            Sequence = 42, OccurredAt = at, Principal = "agency_terminal:HOSP_PEOPLE/终端-7", Agency = "HOSP_PEOPLE", Action = "Verify",
            Target = null, Outcome = "VALID", Detail = "terminal=终端-7 kid=ab12", PreviousHash = AuditChain.GenesisHash, Hash = "",
        };
        Assert.Equal("1e8122d79554348bcdc658e7b2c443e823ca8d564b43be0d52661d31f1f2fe1f", AuditChain.ComputeHash(first));

        var long_ = new AuditRecord
        {
            Sequence = 7, OccurredAt = at, Principal = "hr_officer:u1", Agency = null, Action = "IssueCard", Target = "LC260000012",
            Outcome = "OK", Detail = new string('终', 900), PreviousHash = "1e8122d79554348bcdc658e7b2c443e823ca8d564b43be0d52661d31f1f2fe1f", Hash = "",
        };
        Assert.Equal("a3f147863af9efb916ae34247205c84ede74d0aea47973281b56541d4551c556", AuditChain.ComputeHash(long_));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private AuditWriter NewWriter(bool skipFsync, WalCheckpointer? checkpointer = null) => new(_contexts, TimeProvider.System,
        Microsoft.Extensions.Options.Options.Create(new VerificationOptions { AuditSkipsFsync = skipFsync }), NullLogger<AuditWriter>.Instance, checkpointer);

    /// <summary>Answers the given instants one after another (the writer reads the clock once per batch).</summary>
    private sealed class SteppedClock(DateTimeOffset[] instants) : TimeProvider
    {
        private int _next;

        public override DateTimeOffset GetUtcNow() => instants[Math.Min(Interlocked.Increment(ref _next) - 1, instants.Length - 1)];
    }

    private sealed class Factory(string connectionString) : IDbContextFactory<VerificationDbContext>
    {
        public VerificationDbContext CreateDbContext() => new SqliteVerificationDbContext(
            new DbContextOptionsBuilder<SqliteVerificationDbContext>().UseSqlite(connectionString).AddInterceptors(SqlitePragmas.Instance).Options);
    }
}
